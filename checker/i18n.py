"""Every sentence the checker says: gettext catalogs in checker/locale/, Russian first.

The msgids are keys ("ws-no-route"), not English sentences: the key is the stable id a
report carries (`"key"` in the JSON), Russian and English are both translations of it, and
rewording one language never orphans the other. Kinds of keys:

    KEY            a message: what was expected, what came instead
    KEY.hint       its usual cause (optional)
    hint-*         a cause found from an exception or an output (checker/failures.py)
    check.ID       a check's title;  step.N  a step's title
    label-*, ...   the words of the reports

A message with plural forms is counted by its `count` parameter. Only the reports render
(the probe sends keys and parameters); a missing text or a placeholder without a value is
shown as such, never replaced silently, and the tests keep both from happening.

The .po files are the source; the .mo files beside them are compiled from them by
`make catalogs` (Babel) and committed, so that a fresh clone needs no build step.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

LOCALE = Path(__file__).resolve().parent / "locale"
DOMAIN = "checker"
LANGS = ("ru", "en")


def N_(key: str) -> str:
    """Marks a key used where the extractor cannot see it (gettext_noop)."""
    return key


@cache
def catalog(lang: str) -> gettext.GNUTranslations:
    with open(LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.mo", "rb") as mo:
        return gettext.GNUTranslations(mo)


def template(key: str, lang: str, count=None) -> str | None:
    """The text of `key` in `lang` (its plural form for `count`), or None when there is none."""
    found = key
    if count is not None:  # a plural entry first: gettext() would give its first form
        try:
            found = catalog(lang).ngettext(key, key, int(count))
        except (TypeError, ValueError):
            pass
    if found == key:
        found = catalog(lang).gettext(key)
    return None if found == key else found


def render(key: str, lang: str, params: dict | None = None, optional: bool = False) -> str:
    """`key` in `lang` with its parameters; "" for a missing optional text (a hint)."""
    params = {name: sentence(value, lang) for name, value in (params or {}).items()}
    found = template(key, lang, params.get("count"))
    if found is None:
        return "" if optional else f"[no {lang} text for {key!r}: {params}]"
    try:
        return found.format_map(params)
    except (KeyError, IndexError) as missing:
        return f"[{key!r} needs {missing}] {found}"
    except ValueError as bad:  # a value that does not fit its format, e.g. {n:02d} given "x"
        return f"[{key!r}: {bad}] {found}"


def nested(key: str, params: dict) -> dict:
    """A sentence to put inside another one's parameter: rendered in the reader's language
    when the outer one is (a failure seen through another, e.g. a client's inside two-servers)."""
    return {"key": key, "params": params}


def sentence(value, lang: str):
    if isinstance(value, dict) and set(value) == {"key", "params"} and isinstance(value["key"], str):
        return render(value["key"], lang, value["params"]).rstrip(".")
    return value


def t(key: str, lang: str, /, **params) -> str:
    return render(key, lang, params)


def default_lang() -> str:
    """The locale's language when it is English; Russian (the course's language) otherwise."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "ru"
    return "ru"
