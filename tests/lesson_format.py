"""How tests read a lesson: its anchors, sections, listings and links.

The contract a lesson keeps (lessons/ru/NN-slug.md and lessons/en/NN-slug.md):

* `<a id="NAME"></a>` on the line before a heading marks a section the checker or another
  page links to. Every lesson has `changes`, `checker`, `mistakes` and `self-check`, and
  the `section` of every check that course.toml says the step introduces.
* A fenced code block whose first line names a file is a listing:
      # chat/consumers.py            (Python, TOML)     -> the whole file of this step
      <!-- templates/room.html -->   (HTML)             -> the whole file
      // chat/static/chat/room.js    (JavaScript)
  Add ` ...` after the path for an excerpt: its chunks, separated by a line `# ...`
  (or `<!-- ... -->`, `// ...`), each stand in the file in that order. A path that starts
  with `steps/` names a file of another step. The path line itself is not part of the file.
* The `changes` section lists the step's files as bullets: - `chat/consumers.py`.
* The `checker` section names every check id the step adds, in backticks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ANCHOR = re.compile(r'<a id="([a-z0-9-]+)"></a>')
HEADING = re.compile(r"^(#{2,4}) (.+)$", re.M)
FENCE = re.compile(r"^```([\w-]*)\n(.*?)^```", re.M | re.S)
PATH_LINE = re.compile(
    r"^(?:#|//|<!--)\s+(?P<path>[\w./-]+\.(?:py|html|js|toml|txt|cfg|ini))(?P<excerpt>\s+\.\.\.)?\s*(?:-->)?$"
)
SEPARATOR = re.compile(r"^\s*(?:# \.\.\.|// \.\.\.|<!-- \.\.\. -->)\s*$")
LINK = re.compile(r"\]\(([^)\s]+)\)")
REQUIRED_ANCHORS = ("changes", "checker", "mistakes", "self-check")


@dataclass
class Listing:
    path: str
    excerpt: bool
    body: str
    line: int  # where the block starts in the lesson, for messages


def anchors(markdown: str) -> list[str]:
    return ANCHOR.findall(markdown)


def headings(markdown: str) -> list[tuple[int, str]]:
    outside = FENCE.sub("", markdown)
    return [(len(m.group(1)), m.group(2)) for m in HEADING.finditer(outside)]


def listings(markdown: str) -> list[Listing]:
    found = []
    for match in FENCE.finditer(markdown):
        body = match.group(2)
        first, _, rest = body.partition("\n")
        path = PATH_LINE.match(first.strip())
        if path:
            line = markdown.count("\n", 0, match.start()) + 1
            found.append(Listing(path["path"], bool(path["excerpt"]), rest, line))
    return found


def section(markdown: str, anchor: str) -> str:
    """The text from the anchor to the next heading of the same or a higher level."""
    start = markdown.index(f'<a id="{anchor}"></a>')
    heading = HEADING.search(markdown, start)
    level = len(heading.group(1)) if heading else 2
    after = heading.end() if heading else start
    nxt = re.compile(rf"^#{{2,{level}}} ", re.M).search(markdown, after)
    return markdown[start : nxt.start() if nxt else len(markdown)]


def chunks(body: str) -> list[str]:
    parts, current = [], []
    for line in body.splitlines():
        if SEPARATOR.match(line):
            parts.append("\n".join(current))
            current = []
        else:
            current.append(line)
    parts.append("\n".join(current))
    return [p.strip("\n") for p in parts if p.strip()]


def listing_problem(listing: Listing, step_dir: Path, root: Path) -> str | None:
    """None when the listing agrees with the file; else what differs."""
    target = root / listing.path if listing.path.startswith("steps/") else step_dir / listing.path
    if not target.is_file():
        return f"line {listing.line}: {listing.path} does not exist in {step_dir.name}"
    text = target.read_text(encoding="utf-8")
    if not listing.excerpt:
        if listing.body.rstrip("\n") != text.rstrip("\n"):
            return f"line {listing.line}: {listing.path} differs from the file (whole-file listing)"
        return None
    position = 0
    for chunk in chunks(listing.body):
        found = text.find(chunk, position)
        if found < 0:
            return f"line {listing.line}: an excerpt of {listing.path} is not in the file:\n{chunk[:300]}"
        position = found + len(chunk)
    return None


def links(markdown: str) -> list[str]:
    outside = FENCE.sub("", markdown)
    return [link for link in LINK.findall(outside) if not re.match(r"[a-z]+://", link)]
