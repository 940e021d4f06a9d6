"""Build the zip to upload as a Gradescope autograder, for one step of the workbook.

    .venv/bin/python grading/gradescope/pack.py --step 5 [--lang ru] [--thorough]
        [--sandbox auto|yes|no] [--timeout 600] [--out autograder-step05.zip]

Gradescope wants setup.sh and run_autograder at the root of the zip, not in a folder
(https://gradescope-autograders.readthedocs.io/en/latest/specs/). Beside them: autograder.py,
autograder.toml (written from the options) and workbook/ (the checker, course.toml,
pyproject.toml, README.md: what `pip install -e` needs).
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKBOOK = HERE.parent.parent
FILES = ("setup.sh", "run_autograder", "autograder.py")
WORKBOOK_FILES = ("course.toml", "pyproject.toml", "README.md")
SKIP = {"__pycache__", ".pytest_cache"}


def config_text(step: int, lang: str, thorough: bool, sandbox: str, timeout: int) -> str:
    template = (HERE / "autograder.toml").read_text(encoding="utf-8")
    values = {"step": str(step), "lang": f'"{lang}"', "thorough": "true" if thorough else "false",
              "sandbox": f'"{sandbox}"', "timeout": str(timeout)}
    lines = []
    for line in template.splitlines():
        key = line.split("=", 1)[0].strip()
        if key in values and "=" in line:
            comment = line[line.index("#"):] if "#" in line else ""
            line = f"{key} = {values[key]}".ljust(19) + comment
        lines.append(line)
    return "\n".join(lines) + "\n"


def members() -> list[tuple[Path, str]]:
    found = [(HERE / name, name) for name in FILES]
    found += [(WORKBOOK / name, f"workbook/{name}") for name in WORKBOOK_FILES if (WORKBOOK / name).is_file()]
    for path in sorted((WORKBOOK / "checker").rglob("*")):
        if path.is_file() and not SKIP & set(path.parts) and path.suffix not in (".pyc",):
            found.append((path, f"workbook/{path.relative_to(WORKBOOK).as_posix()}"))
    return found


def pack(out: Path, step: int, lang: str = "en", thorough: bool = False, sandbox: str = "auto",
         timeout: int = 600) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, name in members():
            info = zipfile.ZipInfo.from_file(path, name)
            if name in ("setup.sh", "run_autograder"):
                info.external_attr = 0o100755 << 16  # executable in the image
            archive.writestr(info, path.read_bytes(), zipfile.ZIP_DEFLATED)
        config = zipfile.ZipInfo("autograder.toml", date_time=(2026, 1, 1, 0, 0, 0))
        config.external_attr = 0o100644 << 16
        archive.writestr(config, config_text(step, lang, thorough, sandbox, timeout), zipfile.ZIP_DEFLATED)
    return out


def main(argv=None) -> int:
    sys.path.insert(0, str(WORKBOOK))
    from checker.course import load_course

    course = load_course()
    parser = argparse.ArgumentParser(prog="pack.py", description=__doc__.splitlines()[0])
    parser.add_argument("--step", type=int, required=True, choices=sorted(course.steps))
    parser.add_argument("--lang", choices=["en", "ru"], default="en")
    parser.add_argument("--thorough", action="store_true")
    parser.add_argument("--sandbox", choices=["auto", "yes", "no"], default="auto")
    parser.add_argument("--timeout", type=int, default=600)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    out = args.out or Path(f"autograder-step{args.step:02d}.zip")
    pack(out, args.step, args.lang, args.thorough, args.sandbox, args.timeout)
    print(f"{out}: upload it as the assignment's autograder (Configure Autograder > Zip file upload)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
