"""grade over an LMS-like export: folders, a zip from macOS, a wrapped tar.gz, an empty entry and a
loose file, a roster; every entry gets its row, and every format is written and readable.
(A class of 30 with hangs and floods is `python -m bench.grade_class`: it takes minutes.)"""

from __future__ import annotations

import base64
import csv
import io
import json
import shutil
import tarfile
import zipfile
from xml.etree import ElementTree as ET

from conftest import run_checker

from checker.course import load_course

COURSE = load_course()
STEP = 2  # no Redis, quick: the export's handling is what is tested here
IGNORE = shutil.ignore_patterns("__pycache__", "db.sqlite3", "*.pyc")


def build_export(root):
    export = root / "export"
    export.mkdir()
    shutil.copytree(COURSE.steps[STEP].path, export / "Иванова Анна", ignore=IGNORE)
    source = root / "zipped"
    shutil.copytree(COURSE.steps[STEP].path, source, ignore=IGNORE)
    with zipfile.ZipFile(export / "boris.zip", "w") as archive:
        for path in sorted(source.rglob("*")):
            if path.is_file():
                archive.write(path, f"chat-main/{path.relative_to(source)}")
        archive.writestr("__MACOSX/chat-main/._manage.py", b"\x00\x05\x16\x07")
    with tarfile.open(export / "vera.tar.gz", "w:gz") as archive:
        archive.add(source, arcname="lab2/project")
    (export / "gleb").mkdir()  # handed in nothing
    (export / "=HYPERLINK(evil).pdf").write_bytes(b"%PDF-1.4")  # the wrong thing, oddly named
    roster = root / "roster.csv"
    roster.write_text("Entry;Student ID;Full name;E-mail\n"
                      "Иванова Анна;s1;Анна Иванова;anna@example.edu\nboris;s2;Boris Petrov;b@example.edu\n"
                      "vera;s3;Vera Lis;v@example.edu\ngleb;s4;Gleb Orlov;g@example.edu\n"
                      "dana;s5;Dana Roe;d@example.edu\n", encoding="utf-8-sig")
    return export, roster


def test_an_export_gets_a_row_per_entry_in_every_format(tmp_path):
    export, roster = build_export(tmp_path)
    out = tmp_path / "grades"
    done = run_checker("grade", str(export), "--step", str(STEP), "--jobs", "2", "--roster", str(roster),
                       "--format", "md,csv,json,html,junit,gradescope,classroom", "--out", str(out), "--lang", "en")
    assert done.returncode == 0, done.stdout + done.stderr
    grades = json.loads((out / "grades.json").read_text(encoding="utf-8"))
    rows = {row["entry"]: row for row in grades["rows"]}
    assert set(rows) == {"Иванова Анна", "boris", "vera", "gleb", "=HYPERLINK(evil).pdf"}
    full = COURSE.points(STEP)
    for name in ("Иванова Анна", "boris", "vera"):
        assert rows[name]["points"] == rows[name]["max_points"] == full, rows[name]["reason"]
    assert rows["boris"]["notes"] and any("macOS" in n for n in rows["boris"]["notes"])
    assert any("lab2/project" in n for n in rows["vera"]["notes"])
    assert rows["gleb"]["problem"] == "empty" and rows["gleb"]["points"] == 0
    assert rows["=HYPERLINK(evil).pdf"]["problem"] == "not-a-submission"
    assert rows["boris"]["student"]["name"] == "Boris Petrov"
    assert [p["id"] for p in grades["missing"]] == ["s5"] and grades["unknown"] == ["=HYPERLINK(evil).pdf"]
    assert grades["sandboxed"] is True

    text = (out / "grades.csv").read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text[1:])))
    assert "'=HYPERLINK(evil).pdf" in [line[0] for line in lines]  # never a formula in Excel
    assert lines[-1][1:3] == ["s5", "Dana Roe"] and lines[-1][-1] == "no submission"

    markdown = (out / "grades.md").read_text(encoding="utf-8")
    assert "✔ passed · ⚠ passed with a warning" in markdown and "Dana Roe" in markdown
    assert "the submission is empty" in markdown  # a reason for every zero

    suites = ET.fromstring((out / "grades.xml").read_text(encoding="utf-8")).findall("testsuite")
    assert len(suites) == 5

    submissions = out / "submissions"
    results = json.loads((submissions / "boris" / "results.json").read_text(encoding="utf-8"))
    assert results["score"] == full and all(test["status"] == "passed" for test in results["tests"])
    empty = json.loads((submissions / "gleb" / "results.json").read_text(encoding="utf-8"))
    assert empty["score"] == 0
    classroom = json.loads(base64.b64decode((submissions / "vera" / "classroom-result.b64").read_text()))
    assert classroom["status"] == "pass" and classroom["max_score"] == full
    page = (out / "grades.html").read_text(encoding="utf-8")
    assert "Dana Roe" in page and "&lt;" not in page.split("<body>")[0]


def test_a_class_export_archive_is_taken_whole(tmp_path):
    """An LMS's "download all": one zip holding a zip per student."""
    export, _ = build_export(tmp_path)
    whole = tmp_path / "download-all.zip"
    with zipfile.ZipFile(whole, "w") as archive:
        for path in sorted(export.rglob("*")):
            if path.is_file():
                archive.write(path, f"assignment_1_export/{path.relative_to(export)}")
    done = run_checker("grade", str(whole), "--step", str(STEP), "--format", "json", "--lang", "en", "--jobs", "2")
    assert done.returncode == 0, done.stderr
    rows = {row["entry"]: row for row in json.loads(done.stdout)["rows"]}
    # (gleb's empty folder is not in the zip: a zip keeps files, and he had none.)
    assert set(rows) == {"Иванова Анна", "boris", "vera", "=HYPERLINK(evil).pdf"}
    assert all(rows[name]["points"] == COURSE.points(STEP) for name in ("Иванова Анна", "boris", "vera"))
