"""Validating JUnit XML against tests/data/junit-10.xsd (Jenkins' xUnit plugin's schema).

With xmlschema installed (a pure-Python XSD 1.0 validator, `pip install xmlschema`) the
document is validated by it; in any case it is also held to the schema's own declarations,
read here: the elements, the attributes each may carry and must carry, the children each may
hold, and the SUREFIRE_TIME pattern of the suites' times. So a machine without xmlschema still
checks the structure.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

SCHEMA = Path(__file__).resolve().parent / "data" / "junit-10.xsd"
XS = "{http://www.w3.org/2001/XMLSchema}"


def declarations() -> dict[str, dict]:
    """{element: {"attributes": {name: required}, "children": set, "text_only": bool, "patterns": {attr: regex}}}"""
    schema = ET.parse(SCHEMA).getroot()
    patterns = {t.get("name"): t.find(f"{XS}restriction/{XS}pattern").get("value")
                for t in schema.findall(f"{XS}simpleType")}
    found = {}
    for element in schema.findall(f"{XS}element"):
        attributes = {a.get("name"): a.get("use") == "required" for a in element.iter(f"{XS}attribute")}
        typed = {a.get("name"): patterns[a.get("type")] for a in element.iter(f"{XS}attribute") if a.get("type") in patterns}
        found[element.get("name")] = {
            "attributes": attributes,
            "children": {e.get("ref") for e in element.iter(f"{XS}element") if e.get("ref")},
            "text_only": element.get("type") == "xs:string",
            "patterns": typed,
        }
    return found


def structural(root: ET.Element) -> None:
    declared = declarations()
    assert root.tag in ("testsuites", "testsuite"), root.tag
    for node in root.iter():
        assert node.tag in declared, f"<{node.tag}> is not in the schema"
        spec = declared[node.tag]
        extra = set(node.attrib) - set(spec["attributes"])
        assert not extra, f"<{node.tag}> has attributes the schema does not allow: {extra}"
        missing = {a for a, required in spec["attributes"].items() if required and a not in node.attrib}
        assert not missing, f"<{node.tag}> lacks the required {missing}"
        for attribute, pattern in spec["patterns"].items():
            if attribute in node.attrib:
                assert re.fullmatch(pattern, node.attrib[attribute]), (node.tag, attribute, node.attrib[attribute])
        for child in node:
            assert not spec["text_only"] and child.tag in spec["children"], f"<{child.tag}> inside <{node.tag}>"


def validate(text: str) -> ET.Element:
    """The parsed document, once it is well-formed and valid (AssertionError or xmlschema's
    XMLSchemaValidationError otherwise)."""
    root = ET.fromstring(text)
    structural(root)
    try:
        import xmlschema
    except ImportError:
        return root
    xmlschema.XMLSchema(str(SCHEMA)).validate(text)
    return root
