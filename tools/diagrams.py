"""The lessons' Mermaid diagrams: find them, render them with mermaid-cli and Debian's Chromium.

    python -m tools.diagrams                  # render every diagram to SVG in a temp folder
    python -m tools.diagrams --png DIR        # ... and to PNG in DIR, to look at

mermaid-cli is installed into the git-ignored .tools/mermaid (`make`-free, as .ci/run does it):
    PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix .tools/mermaid @mermaid-js/mermaid-cli
It drives the system's Chromium (never a downloaded one) through a puppeteer config file.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
MMDC_LOCAL = ROOT / ".tools" / "mermaid" / "node_modules" / ".bin" / "mmdc"
CHROMIUM = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
BLOCK = re.compile(r"^```mermaid[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)
# What mermaid draws instead of a diagram it cannot parse.
ERROR_MARKS = ("Syntax error in text", "Parse error on line")


@dataclass
class Diagram:
    page: Path
    line: int  # of the opening fence, 1-based
    source: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"

    @property
    def slug(self) -> str:
        rel = self.page.relative_to(LESSONS).with_suffix("")
        return f"{'-'.join(rel.parts)}-{self.line}"


def diagrams(root: Path = LESSONS) -> list[Diagram]:
    """Every ```mermaid block in the Markdown under root, in file order."""
    found = []
    for page in sorted(root.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        for match in BLOCK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Diagram(page, line, match.group(1)))
    return found


def mmdc() -> str | None:
    if MMDC_LOCAL.exists():
        return str(MMDC_LOCAL)
    return shutil.which("mmdc")


def chromium() -> str | None:
    for path in CHROMIUM:
        if Path(path).exists():
            return path
    return shutil.which("chromium")


def puppeteer_config(folder: Path, browser: str) -> Path:
    config = folder / "puppeteer.json"
    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    config.write_text(json.dumps({"executablePath": browser, "args": args}), encoding="utf-8")
    return config


@dataclass
class Rendered:
    diagram: Diagram
    output: Path | None  # the file written, None when mmdc failed
    error: str = ""


def _run(command: list[str], timeout: float) -> subprocess.CompletedProcess:
    env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


def first_lines(text: str, count: int = 6) -> str:
    """mmdc's message without the browser's stack trace under it."""
    lines = [line for line in text.strip().splitlines() if not line.lstrip().startswith("at ")]
    return "\n".join(lines[:count])


def render_one(diagram: Diagram, folder: Path, fmt: str, tool: str, config: Path) -> Rendered:
    source = folder / f"{diagram.slug}.mmd"
    source.write_text(diagram.source, encoding="utf-8")
    out = folder / f"{diagram.slug}.{fmt}"
    command = [tool, "-q", "-p", str(config), "-i", str(source), "-o", str(out)]
    if fmt == "png":
        command += ["-s", "2", "-b", "white"]
    done = _run(command, timeout=120)
    if done.returncode != 0 or not out.exists():
        return Rendered(diagram, None, first_lines(done.stderr or done.stdout))
    return Rendered(diagram, out)


def render_all(found: list[Diagram], folder: Path, fmt: str = "svg") -> list[Rendered]:
    """Render every diagram into folder: one mmdc run (one browser) for all of them, through a
    Markdown file of the blocks; if that run fails, one run per diagram says which failed."""
    tool, browser = mmdc(), chromium()
    if tool is None or browser is None:
        raise FileNotFoundError("mmdc" if tool is None else "chromium")
    folder.mkdir(parents=True, exist_ok=True)
    config = puppeteer_config(folder, browser)
    if not found:
        return []
    batch = folder / "all.md"
    batch.write_text("".join(f"```mermaid\n{d.source}```\n\n" for d in found), encoding="utf-8")
    command = [tool, "-q", "-p", str(config), "-i", str(batch), "-o", str(folder / "all-out.md"),
               "-e", fmt]
    if fmt == "png":
        command += ["-s", "2", "-b", "white"]
    done = _run(command, timeout=60 + 20 * len(found))
    outputs = [folder / f"all-out-{n}.{fmt}" for n in range(1, len(found) + 1)]
    if done.returncode == 0 and all(p.exists() for p in outputs):
        results = []
        for diagram, out in zip(found, outputs, strict=True):
            named = folder / f"{diagram.slug}.{fmt}"
            out.replace(named)
            results.append(Rendered(diagram, named))
        return results
    return [render_one(d, folder, fmt, tool, config) for d in found]


def svg_problem(result: Rendered) -> str | None:
    """None when the diagram became a real SVG; else what went wrong."""
    if result.output is None:
        return f"mmdc failed: {result.error}"
    text = result.output.read_text(encoding="utf-8", errors="replace")
    if "<svg" not in text or len(text) < 500:
        return f"no SVG drawing in {result.output.name} ({len(text)} characters)"
    for mark in ERROR_MARKS:
        if mark in text:
            return f"mermaid drew an error: {mark}"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--png", type=Path, help="also render PNGs into this folder")
    args = parser.parse_args(argv)
    found = diagrams()
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="diagrams-") as tmp:
        results = render_all(found, Path(tmp))
        bad = [(r, svg_problem(r)) for r in results if svg_problem(r)]
        for result in results:
            print(f"{'FAIL' if svg_problem(result) else 'ok  '} {result.diagram.name}")
    if args.png:
        for result in render_all(found, args.png, "png"):
            print(f"png  {result.output or result.error}")
    print(f"{len(found)} diagrams, {len(bad)} failed, {time.perf_counter() - start:.1f} s")
    for result, problem in bad:
        print(f"{result.diagram.name}: {problem}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
