"""Making a submission's text safe for each medium a report goes to.

Anything a project printed or raised (an exception's message, a test's output, a folder's
name) reaches the reports; each renderer escapes it for its own medium here.
"""

from __future__ import annotations

import html as _html
import re

# C0 and C1 controls but tab and newline, and DEL: what moves a terminal's cursor, clears its
# screen, sets its title or writes its clipboard (ESC ] 52 ...).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
# What XML 1.0 forbids in a document, even escaped (its production Char, section 2.2) ...
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# ... and what it allows but asks documents to avoid: DEL, the C1 controls (0x9b opens an escape
# sequence on a terminal that shows the file) and the noncharacters.
XML_DISCOURAGED = re.compile("[\x7f-\x9f\ufdd0-\ufdef]")
FORMULA = ("=", "+", "-", "@", "\t", "\r")


def terminal(text: str) -> str:
    """No escape sequence of a submission's reaches the instructor's terminal."""
    return CONTROL.sub("\ufffd", ANSI.sub("", str(text)))


def xml(text: str) -> str:
    """Text any XML 1.0 parser takes: escape sequences dropped, forbidden and discouraged
    characters made U+FFFD (the serializer escapes & < > and quotes)."""
    return XML_DISCOURAGED.sub("\ufffd", XML_FORBIDDEN.sub("\ufffd", ANSI.sub("", str(text))))


def html(text: str) -> str:
    return _html.escape(xml(text), quote=True)


def markdown(text: str) -> str:
    """One table cell: no pipes, no raw HTML, no line breaks, no code spans that could open."""
    text = terminal(text).replace("\n", " ").replace("\r", " ")
    text = _html.escape(text, quote=False)
    return re.sub(r"([\\|`*_\[\]])", r"\\\1", text)


def csv_cell(value) -> str:
    """A cell a spreadsheet shows as text: a leading = + - @ would make it a formula."""
    text = terminal(value) if isinstance(value, str) else value
    if isinstance(text, str) and text.startswith(FORMULA):
        return "'" + text
    return text
