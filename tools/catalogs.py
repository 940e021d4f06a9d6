"""`make catalogs`: compile the checker's .po catalogs into the .mo files it reads.

    python -m tools.catalogs            compile every catalog that changed
    python -m tools.catalogs --check    exit 1 if a committed .mo is not what its .po compiles to

Babel does the reading and writing (the same library Django's and Flask's projects use for
their catalogs); the .mo files are committed so that a fresh clone runs without this step.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from checker.i18n import DOMAIN, LANGS, LOCALE


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def compiled(lang: str) -> bytes:
    with open(po_path(lang), "rb") as po:
        catalog = read_po(po, locale=lang, domain=DOMAIN)
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.catalogs")
    parser.add_argument("--check", action="store_true", help="only say whether the .mo files are current")
    args = parser.parse_args(argv)
    stale = []
    for lang in LANGS:
        mo = po_path(lang).with_suffix(".mo")
        data = compiled(lang)
        if mo.exists() and mo.read_bytes() == data:
            continue
        stale.append(str(mo.relative_to(LOCALE.parent.parent)))
        if not args.check:
            mo.write_bytes(data)
    if args.check and stale:
        print("out of date (run `make catalogs`): " + ", ".join(stale), file=sys.stderr)
        return 1
    for path in stale:
        print(f"compiled {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
