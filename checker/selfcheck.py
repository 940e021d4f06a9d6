"""`python -m checker selfcheck`: the course holds together (in the spirit of `rustlings dev check`).

For the workbook's authors, and run by `make test`. It says, each with the place to mend:
  - every check in course.toml has its code (@check) and every @check its declaration;
  - every check and step has a title in every language;
  - every key the code uses has a text in every language, with the same placeholders in each,
    the placeholders a call passes cover its texts, and no text is left that nothing uses;
  - the compiled catalogs (.mo) are what their .po files compile to;
  - every lesson section a check links to exists, in every language;
  - every check has a broken project in tests/mistakes/ that makes it fail, or course.toml
    says why it has none (no_mistake).
"""

from __future__ import annotations

import ast
import string
import sys

from checker import ROOT
from checker.i18n import LANGS, LOCALE, catalog

# The calls whose string arguments are keys, and which argument (Babel's keyword specs).
KEYWORDS = {
    "CheckFailed": (1,), "Note": (1,), "N_": (1,), "t": (1,), "render": (1,),
    "fail_from": (2,), "result": (3,), "CheckResult": (3,), "Finding": (2,),
}
PACKAGE = ROOT / "checker"


def sources() -> list:
    """The code whose texts live in the catalogs: the checker, and make doctor's tool."""
    return [*sorted(PACKAGE.rglob("*.py")), ROOT / "tools" / "doctor.py"]


def used_keys() -> dict[str, str]:
    """Every key the checker's code names, with where (file:line), found by Babel's extractor."""
    import contextlib
    import io

    from babel.messages.extract import extract_from_file

    found = {}
    for path in sources():
        with contextlib.redirect_stderr(io.StringIO()):  # Babel's notes on f-strings: not keys
            extracted = list(extract_from_file("python", str(path), keywords=KEYWORDS))
        for line, message, _, _ in extracted:
            for key in message if isinstance(message, tuple) else (message,):
                if key and key not in ("pass", "warn", "fail", "error", "skip"):
                    found.setdefault(key, f"{path.relative_to(ROOT)}:{line}")
    return found


def passed_params() -> list[tuple[str, set[str], str]]:
    """(key, the keyword arguments passed, where) for each CheckFailed/Note call whose
    arguments are all named in the call (no **expansion)."""
    calls = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in ("CheckFailed", "Note")):
                continue
            if not node.args or not isinstance(node.args[0], ast.Constant) or not isinstance(node.args[0].value, str):
                continue
            if any(k.arg is None for k in node.keywords):
                continue
            names = {k.arg for k in node.keywords} - {"status", "causes"}
            calls.append((node.args[0].value, names, f"{path.relative_to(ROOT)}:{node.lineno}"))
    return calls


def catalog_entries(lang: str) -> dict[str, list[str]]:
    """key -> its texts (one, or one per plural form), read from the .po file with Babel."""
    from babel.messages.pofile import read_po

    with open(LOCALE / lang / "LC_MESSAGES" / "checker.po", "rb") as po:
        entries = {}
        for message in read_po(po, locale=lang):
            if not message.id:
                continue
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            entries[key] = list(message.string) if isinstance(message.string, tuple) else [message.string]
        return entries


def placeholders(text: str) -> set[str]:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(text) if name]
    except ValueError:  # a lone brace
        return {"{"}
    return {name.split(".")[0].split("[")[0] for name in fields}


def problems(course) -> list[str]:
    from checker.checks import load_all

    found = []
    registry = load_all()
    declared = set(course.checks)
    for check_id in sorted(declared - set(registry)):
        found.append(f"course.toml declares {check_id!r} but no @check({check_id!r}) exists in checker/checks/")
    for check_id in sorted(set(registry) - declared):
        found.append(f"@check({check_id!r}) has no [[check]] in course.toml")
    from checker.checks import VERIFIERS

    for check_id, spec in course.checks.items():
        if spec.verify == "own" and check_id not in VERIFIERS:
            found.append(f"course.toml says {check_id!r} has a verifier of its own, and no @verifier({check_id!r}) exists")
        if check_id in VERIFIERS and spec.verify != "own":
            found.append(f"@verifier({check_id!r}) exists, and course.toml does not say verify = \"own\"")
        for other in spec.agrees:
            if other not in course.checks or not course.checks[other].verify:
                found.append(f"{check_id!r} agrees with {other!r}, which has no outside verdict")

    entries = {lang: catalog_entries(lang) for lang in LANGS}
    titles = [f"check.{c}" for c in course.checks] + [f"step.{n}" for n in course.steps]
    used = used_keys()
    wanted = {**{k: "course.toml" for k in titles}, **used}
    for key, where in sorted(wanted.items()):
        for lang in LANGS:
            if key not in entries[lang]:
                found.append(f"{where}: no {lang} text for {key!r} (checker/locale/{lang}/LC_MESSAGES/checker.po)")
    for key in sorted(set(entries["ru"]) | set(entries["en"])):
        base = key[: -len(".hint")] if key.endswith(".hint") else key
        if base not in wanted:
            found.append(f"the catalogs hold {key!r}, which no code uses")
        shapes = {lang: set().union(*map(placeholders, entries[lang].get(key, [""]))) for lang in LANGS}
        if key in entries["ru"] and key in entries["en"] and shapes["ru"] != shapes["en"]:
            found.append(f"{key!r}: placeholders differ: ru {sorted(shapes['ru'])}, en {sorted(shapes['en'])}")
        for lang in LANGS:
            for text in entries[lang].get(key, ["x"]):
                if not text:
                    found.append(f"{key!r}: the {lang} text is empty")
                odd = sorted(p for p in placeholders(text) if not p.isidentifier())
                if odd:
                    found.append(f"{key!r}: the {lang} text has braces that are no placeholder: {odd} (write {{{{ and }}}})")
    for key, names, where in passed_params():
        for text_key in (key, f"{key}.hint"):
            for lang in LANGS:
                missing = set().union(*map(placeholders, entries[lang].get(text_key, [""]))) - names
                if missing:
                    found.append(f"{where}: {key!r} passes no {sorted(missing)} for its {lang} text {text_key!r}")

    found += stale_catalogs()
    # Every lesson section a check or a cause ([causes]) links to, in every language.
    links = [(repr(check_id), spec.step, spec.section) for check_id, spec in course.checks.items()]
    links += [(f"[causes] {cause}", n, section) for cause, places in course.causes.items() for n, section in places]
    for who, number, section in links:
        for lang in LANGS:
            lesson = ROOT / "lessons" / lang / course.steps[number].lesson
            if not lesson.is_file() or f'<a id="{section}"></a>' not in lesson.read_text(encoding="utf-8"):
                found.append(f"{who} links to lessons/{lang}/{course.steps[number].lesson}#{section}, which does not exist")
    found += missing_mistakes(course)
    return found


def stale_catalogs() -> list[str]:
    try:
        from tools.catalogs import compiled
    except ImportError:
        return ["Babel is not installed: cannot tell whether the compiled catalogs are current (make setup)"]
    found = []
    for lang in LANGS:
        mo = LOCALE / lang / "LC_MESSAGES" / "checker.mo"
        if not mo.exists() or mo.read_bytes() != compiled(lang):
            found.append(f"{mo.relative_to(ROOT)} is not what its .po compiles to: run `make catalogs`")
        else:
            catalog.cache_clear()
    return found


def missing_mistakes(course) -> list[str]:
    from checker.course import tomllib

    corpus = ROOT / "tests" / "mistakes"
    caught = {tomllib.loads(p.read_text(encoding="utf-8")).get("check") for p in corpus.glob("*.toml")}
    found = []
    for check_id, spec in course.checks.items():
        if check_id not in caught and not spec.no_mistake:
            found.append(f"{check_id!r}: no project in tests/mistakes/ fails it, and course.toml gives no no_mistake reason")
        if check_id in caught and spec.no_mistake:
            found.append(f"{check_id!r}: has a mistake in tests/mistakes/, yet course.toml says no_mistake")
    return found


def cmd_selfcheck(course) -> int:
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # tools/ is not an installed package
    found = problems(course)
    for problem in found:
        print(problem)
    checks = len(course.checks)
    print(f"selfcheck: {checks} checks, {len(course.steps)} steps: " + (f"{len(found)} problems" if found else "all consistent"))
    return 1 if found else 0
