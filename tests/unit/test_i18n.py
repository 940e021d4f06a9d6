"""The catalogs: every key renders in Russian and English, plurals are Russian plurals, and a
missing text or placeholder shows itself instead of passing silently."""

from __future__ import annotations

import pytest

from checker.i18n import LANGS, default_lang, render
from checker.selfcheck import catalog_entries, placeholders

KEYS = sorted(catalog_entries("ru"))


def sample(key: str, lang: str, count: int = 7) -> dict:
    names = set().union(*map(placeholders, catalog_entries(lang)[key]))
    return {name: count for name in names} | {"count": count}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", KEYS)
def test_every_key_renders(lang, key):
    text = render(key, lang, sample(key, lang))
    assert text and not text.startswith("["), text


def test_both_catalogs_hold_the_same_keys():
    assert sorted(catalog_entries("en")) == KEYS


@pytest.mark.parametrize(
    "count, ru, en",
    [(1, "1 тест", "1 test"), (2, "2 теста", "2 tests"), (5, "5 тестов", "5 tests"),
     (11, "11 тестов", "11 tests"), (21, "21 тест", "21 tests"), (24, "24 теста", "24 tests")],
)
def test_plural_forms(count, ru, en):
    params = {"count": count, "skipped": 0}
    assert render("own-tests-note", "ru", params).startswith(ru + ",")
    assert render("own-tests-note", "en", params).startswith(en + ",")


def test_missing_text_and_missing_placeholder_show_themselves():
    assert render("no-such-key", "ru", {}) == "[no ru text for 'no-such-key': {}]"
    assert render("no-such-key.hint", "en", {}, optional=True) == ""
    broken = render("load-failed", "en", {"what": "x", "error": "e"})
    assert broken.startswith("['load-failed' needs 'where']")


def test_default_language_is_russian_unless_the_locale_is_english(monkeypatch):
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        monkeypatch.delenv(name, raising=False)
    assert default_lang() == "ru"
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    assert default_lang() == "en"
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert default_lang() == "ru"
