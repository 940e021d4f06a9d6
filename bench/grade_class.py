"""A class of 30 as an LMS export delivers it, graded as an instructor would: every row right?

    python -m bench.grade_class [--jobs 2] [--unsafe] [--keep DIR]

Folders, zips (one with __MACOSX), a tar.gz, a nested export, renamed packages, a roster with a
student who sent nothing and an entry the roster does not know, and 8 broken submissions: a
blocking hang, an awaiting hang, 18 MB printed at import, a syntax error, no manage.py, two of
them, no CHANNEL_LAYERS, a consumer routed without .as_asgi(). Prints each row against what it
should be, the wall time and the slowest rows; exit 1 if a row is wrong.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

from checker import ROOT
from checker.course import load_course

STEP = 6
REFERENCE = ROOT / "steps" / "06-async"
RENAMED = ROOT / "tests" / "students" / "mysite-07"  # package mysite, app rooms
IGNORE = shutil.ignore_patterns("__pycache__", "db.sqlite3", "*.pyc", ".venv")
CONNECT = "        await self.accept()"
BROKEN = {
    # name: (edits {file: (old, new)}, the check that must fail first, or a problem key)
    "hang-blocking": ({"chat/consumers.py": (CONNECT, "        import time\n\n        while True:\n            time.sleep(1)")},
                      "ws-connect"),
    "hang-awaiting": ({"chat/consumers.py": (CONNECT, "        import asyncio\n\n        await asyncio.Event().wait()")},
                      "ws-connect"),
    "prints-18mb": ({"chatsite/settings.py": ("import os\n", "import os\nimport sys\n\nsys.stdout.write('x' * 18_000_000)\n")},
                    None),  # it prints; nothing else is wrong: every check must still pass
    "syntax-error": ({"chat/consumers.py": ("    async def connect(self):", "    async def connect(self)")},
                     "project-loads"),
    "no-layer": ({"chatsite/settings.py": ("CHANNEL_LAYERS = {", "UNUSED_LAYERS = {")}, "redis-layer"),  # ws-connect fails too, for this cause
    "no-as-asgi": ({"chat/routing.py": ("ChatConsumer.as_asgi()", "ChatConsumer")}, "ws-connect"),
}


def copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=IGNORE)
    return target


def zipped(folder: Path, archive: Path, prefix: str = "", junk: bool = False) -> None:
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                out.write(path, f"{prefix}{path.relative_to(folder)}")
        if junk:  # what macOS's "Compress" adds
            out.writestr(f"__MACOSX/{prefix}._manage.py", b"\x00\x05\x16\x07")
    shutil.rmtree(folder)


def edit(folder: Path, edits: dict) -> None:
    for name, (old, new) in edits.items():
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert text.count(old) == 1, (name, old)
        path.write_text(text.replace(old, new), encoding="utf-8")


def build(root: Path) -> tuple[Path, Path, dict]:
    """The export and its roster; {entry: (expected first failing check | problem | None for full)}."""
    export = root / "export"
    export.mkdir()
    expected: dict[str, str | None] = {}
    names = [f"student-{n:02d}" for n in range(1, 9)] + ["Иванова Анна", "Пётр Сидоров"]
    for name in names:  # plain folders
        copy(REFERENCE, export / name)
        expected[name] = None
    for n in range(1, 6):  # renamed packages, wrapped in a folder as GitHub's "Download ZIP" does
        copy(RENAMED, export / f"mysite-{n}" / "chat-main")
        expected[f"mysite-{n}"] = None
    for n in range(1, 5):  # zips, one from macOS
        zipped(copy(REFERENCE, root / f"z{n}"), export / f"zip-{n}.zip", junk=n == 1)
        expected[f"zip-{n}"] = None
    with tarfile.open(export / "tarball.tar.gz", "w:gz") as tar:
        tar.add(copy(REFERENCE, root / "t"), arcname="project")
    expected["tarball"] = None
    zipped(copy(REFERENCE, root / "n"), export / "nested-export.zip", prefix="Submission attachment(s)/chat/")
    expected["nested-export"] = None
    for name, (edits, first) in BROKEN.items():
        edit(copy(REFERENCE, export / name), edits)
        expected[name] = first
    (export / "no-manage-py").mkdir()
    (export / "no-manage-py" / "README.txt").write_text("I could not finish, sorry\n")
    expected["no-manage-py"] = "no-manage-py"
    copy(REFERENCE, export / "two-projects" / "first")
    copy(REFERENCE, export / "two-projects" / "second")
    expected["two-projects"] = "several-manage-py"
    copy(REFERENCE, export / "not-on-roster")
    expected["not-on-roster"] = None
    roster = root / "roster.csv"
    with open(roster, "w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out)
        writer.writerow(["entry", "student_id", "name", "email"])
        for n, entry in enumerate(sorted(e for e in expected if e != "not-on-roster"), 1):
            writer.writerow([entry, f"s{n:03d}", entry.replace("-", " ").title(), f"s{n:03d}@example.edu"])
        writer.writerow(["absent-student", "s999", "Absent Student", "absent@example.edu"])
    return export, roster, expected


def verdict(row: dict, first: str | None) -> str:
    """"" when the row is right, else what is wrong with it."""
    report = row["report"]
    if first in ("no-manage-py", "several-manage-py"):
        return "" if row["problem"] == first and row["points"] == 0 else f"expected problem {first}"
    if report is None:
        return f"no report: {row['reason']}"
    failing = [c["id"] for c in report["checks"] if c["status"] in ("fail", "error")]
    if first is None:
        return "" if not failing and row["points"] == row["max_points"] else f"expected full marks, failing {failing}"
    # The root cause, as the report's "fix first" line names it (one cause told once).
    told = report["fix_first"].partition(": ")[2].partition(":")[0]
    return "" if told == first else f"expected {first} to fix first, got {told!r}; failing {failing}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.grade_class", description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--unsafe", action="store_true", help="grade without the sandbox (for the comparison)")
    parser.add_argument("--keep", type=Path, help="leave the export, the roster and the reports here")
    args = parser.parse_args(argv)
    load_course()
    root = Path(tempfile.mkdtemp(prefix="grade-class-")) if not args.keep else args.keep
    root.mkdir(parents=True, exist_ok=True)
    export, roster, expected = build(root)
    out = root / "reports"
    command = [sys.executable, "-m", "checker", "grade", str(export), "--step", str(STEP), "--jobs", str(args.jobs),
               "--roster", str(roster), "--format", "md,csv,json,html,junit", "--out", str(out), "--lang", "en",
               *(["--unsafe"] if args.unsafe else [])]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        print(done.stdout[-3000:], done.stderr[-3000:])
        return 1
    grades = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    rows = {row["entry"]: row for row in grades["rows"]}
    wrong = 0
    print(f"{'entry':22} {'points':>7} {'s':>5}  verdict")
    for entry, first in expected.items():
        row = rows.get(entry)
        problem = "no row" if row is None else verdict(row, first)
        wrong += bool(problem)
        if row:
            print(f"{entry:22} {row['points']:>3g}/{row['max_points']:<3g} {row['seconds']:5.0f}  "
                  f"{'ok' if not problem else 'WRONG: ' + problem}  {row['reason'][:70]}")
        else:
            print(f"{entry:22} WRONG: no row")
    extra = sorted(set(rows) - set(expected))
    wrong += len(extra)
    print(f"rows: {len(rows)} for {len(expected)} entries; unexpected rows: {extra or 'none'}")
    print(f"roster: missing {[p.get('id') for p in grades['missing']]}, unknown {grades['unknown']}")
    # What a hang costs: its row's time over a clean row's, against the bound of issue 15 (the
    # hung check's own limit + 5 s); the two hangs of the same mistake must score the same.
    clean = sorted(r["seconds"] for e, r in rows.items() if expected.get(e) is None and r["report"])
    typical = clean[len(clean) // 2] if clean else 0.0
    bound = load_course().checks["ws-connect"].timeout + 5
    for entry in ("hang-blocking", "hang-awaiting"):
        if entry in rows:
            extra_s = rows[entry]["seconds"] - typical
            wrong += extra_s > bound
            print(f"{entry}: {rows[entry]['seconds']:.1f} s, {extra_s:+.1f} s over a clean row's median "
                  f"{typical:.1f} s (bound {bound:g} s): {'ok' if extra_s <= bound else 'OVER'}")
    if "hang-blocking" in rows and "hang-awaiting" in rows:
        same = rows["hang-blocking"]["points"] == rows["hang-awaiting"]["points"]
        wrong += not same
        print(f"the two hangs score {rows['hang-blocking']['points']:g} and {rows['hang-awaiting']['points']:g}: "
              f"{'ok' if same else 'WRONG'}")
    slowest = sorted(rows.values(), key=lambda r: -r["seconds"])[:3]
    print("slowest rows: " + ", ".join(f"{r['entry']} {r['seconds']:.0f} s" for r in slowest))
    print(f"wall time: {wall:.1f} s at --jobs {args.jobs}, {'unsafe' if args.unsafe else 'sandboxed'}; "
          f"reports in {out}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
