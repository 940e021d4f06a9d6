"""Lessons agree with the code, with each other (ru/en) and with the checker."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lesson_format import (
    REQUIRED_ANCHORS,
    anchors,
    headings,
    links,
    listing_problem,
    listings,
    section,
)

from checker import ROOT
from checker.course import LANGS, load_course

COURSE = load_course()
STEPS = sorted(COURSE.steps)
LESSONS = ROOT / "lessons"


def lesson(lang: str, number: int) -> str:
    return (LESSONS / lang / COURSE.steps[number].lesson).read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("number", STEPS)
def test_every_step_has_its_lesson(lang, number):
    assert (LESSONS / lang / COURSE.steps[number].lesson).is_file()


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("number", STEPS)
def test_listings_equal_the_step_files(lang, number):
    step_dir = COURSE.steps[number].path
    found = listings(lesson(lang, number))
    assert found, "a lesson without a single listing"
    problems = [p for p in (listing_problem(x, step_dir, ROOT) for x in found) if p]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("number", STEPS)
def test_ru_and_en_have_the_same_sections_and_listings(number):
    ru, en = lesson("ru", number), lesson("en", number)
    assert anchors(ru) == anchors(en)
    assert [level for level, _ in headings(ru)] == [level for level, _ in headings(en)]
    assert [(x.path, x.body) for x in listings(ru)] == [(x.path, x.body) for x in listings(en)]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("number", STEPS)
def test_lesson_has_the_sections_the_checker_links_to(lang, number):
    present = anchors(lesson(lang, number))
    wanted = list(REQUIRED_ANCHORS) + [
        spec.section for spec in COURSE.checks.values() if spec.step == number
    ]
    assert not [a for a in wanted if a not in present]
    assert len(present) == len(set(present)), "an anchor is used twice"


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("number", STEPS)
def test_changes_section_lists_exactly_the_step_files(lang, number):
    listed = re.findall(r"^\s*[-*] `([^`]+)`", section(lesson(lang, number), "changes"), re.M)
    assert sorted(listed) == sorted(COURSE.steps[number].changes)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("number", STEPS)
def test_checker_section_names_every_new_check(lang, number):
    text = section(lesson(lang, number), "checker")
    missing = [c for c in COURSE.new_checks(number) if f"`{c}`" not in text]
    assert not missing


@pytest.mark.parametrize("lang", LANGS)
def test_every_checker_link_resolves(lang):
    for check_id in COURSE.checks:
        link = COURSE.lesson_link(check_id, lang)
        path, _, anchor = link.partition("#")
        target = ROOT / path
        assert target.is_file(), link
        assert anchor in anchors(target.read_text(encoding="utf-8")), link


def markdown_files():
    return sorted(LESSONS.rglob("*.md")) if LESSONS.exists() else []


@pytest.mark.parametrize("page", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path):
    text = page.read_text(encoding="utf-8")
    broken = []
    for link in links(text):
        path, _, anchor = link.partition("#")
        target = (page.parent / path).resolve() if path else page
        if not target.exists():
            broken.append(link)
        elif anchor and target.suffix == ".md" and anchor not in anchors(target.read_text(encoding="utf-8")):
            broken.append(link)
    assert not broken


@pytest.mark.parametrize("lang", LANGS)
def test_errata_and_contents_exist(lang):
    assert (LESSONS / lang / "errata.md").is_file()
    assert (LESSONS / ("README.md" if lang == "ru" else "README.en.md")).is_file()


def hint_patterns(lang: str) -> list[re.Pattern]:
    """Every hint the checker can give, as a regex: placeholders match any text."""
    from checker.selfcheck import catalog_entries

    patterns = []
    for key, texts in catalog_entries(lang).items():
        if not (key.endswith(".hint") or key.startswith("hint-")):
            continue
        for text in texts:
            template = text.replace("{{", "\0").replace("}}", "\1")
            parts = re.split(r"\{[^}]*\}", template)
            body = ".+?".join(re.escape(p.replace("\0", "{").replace("\1", "}")) for p in parts)
            patterns.append(body)
    return patterns


QUOTED_HINT = {"ru": "почему: ", "en": "why: "}


@pytest.mark.parametrize("lang", LANGS)
def test_quoted_checker_hints_are_what_the_checker_says(lang):
    """A lesson that quotes the checker's output must quote today's wording."""
    one = hint_patterns(lang)
    whole = re.compile(rf"(?:{'|'.join(one)})(?: (?:{'|'.join(one)}))*")
    stale = []
    for page in sorted((LESSONS / lang).glob("*.md")):
        for block in re.findall(r"^```text\n(.*?)^```", page.read_text(encoding="utf-8"), re.M | re.S):
            for line in block.splitlines():
                quoted = line.strip()
                if not quoted.startswith(QUOTED_HINT[lang]):
                    continue
                quoted = quoted[len(QUOTED_HINT[lang]):]
                if quoted.endswith(("…", "...")):
                    cut = quoted.rstrip("….")
                    ok = any(re.match(p, cut) or p.startswith(re.escape(cut)[:40]) for p in one)
                else:
                    ok = whole.fullmatch(quoted) is not None
                if not ok:
                    stale.append(f"{page.name}: {quoted[:120]}")
    assert not stale, "\n".join(stale)


MAIN_PATH_LINES = 470  # "about 450" (issue 16): checker dumps and whole files go in <details>


def main_path(markdown: str) -> int:
    """Lines a student reads without opening a <details> block."""
    depth = count = 0
    for line in markdown.splitlines():
        depth += line.startswith("<details")
        count += depth == 0
        depth -= line.startswith("</details")
    return count


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("number", STEPS)
def test_main_path_is_short(lang, number):
    assert main_path(lesson(lang, number)) <= MAIN_PATH_LINES
