"""Every Mermaid diagram in the lessons renders (issue 16): each ```mermaid block of
lessons/**/*.md, a new lesson's too, goes through mermaid-cli (`mmdc`) with Debian's Chromium and
must come out as a real SVG, not mermaid's syntax-error picture.

mmdc lives in the git-ignored .tools/mermaid (.ci/run installs it). Without it the test is
skipped on a developer's machine and fails in CI (the environment variable CI is set there).
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from tools.diagrams import LESSONS, chromium, diagrams, mmdc, render_all, svg_problem

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("diagrams")]

FOUND = diagrams()
INSTALL = "PUPPETEER_SKIP_DOWNLOAD=1 npm install --prefix .tools/mermaid @mermaid-js/mermaid-cli"


def _missing() -> str | None:
    if mmdc() is None:
        return f"mermaid-cli (mmdc) is not installed: {INSTALL}"
    if chromium() is None:
        return "Chromium is not installed: apt-get install chromium"
    return None


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    missing = _missing()
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing} (in CI every diagram must be rendered)")
        pytest.skip(missing)
    results = render_all(FOUND, tmp_path_factory.mktemp("diagrams"))
    return {r.diagram.name: r for r in results}


def test_the_lessons_have_diagrams():
    # Lessons 01, 05 and 06 draw theirs, in both editions.
    pages = {d.page.relative_to(LESSONS).as_posix() for d in FOUND}
    for lang in ("ru", "en"):
        for lesson in ("01-index.md", "05-groups.md", "06-async.md"):
            assert f"{lang}/{lesson}" in pages


def test_both_editions_draw_the_same_number_of_diagrams():
    count = Counter(d.page.relative_to(LESSONS).as_posix() for d in FOUND)
    differ = []
    for page, n in count.items():
        lang, _, name = page.partition("/")
        other = {"ru": "en", "en": "ru"}.get(lang)
        if other and (LESSONS / other / name).exists() and count.get(f"{other}/{name}", 0) != n:
            differ.append(f"{page}: {n}, {other}/{name}: {count.get(f'{other}/{name}', 0)}")
    assert not differ, "\n".join(differ)


@pytest.mark.parametrize("name", [d.name for d in FOUND])
def test_diagram_renders(rendered, name):
    problem = svg_problem(rendered[name])
    assert problem is None, f"{name}: {problem}"
    assert Path(rendered[name].output).stat().st_size > 0
