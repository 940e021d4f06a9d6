"""The class's roster: which person each submission is, and who submitted nothing.

A CSV with a header row: a column naming the entry (the folder or archive as the export names
it; required) and, optionally, the student's id, name and email. Headers are matched without
regard to case, spaces, "-" and "_" ("E-mail", "Student ID", "SIS User ID", "ФИО" ...).
UTF-8 with or without a BOM, UTF-16 with a BOM (Excel's "Unicode text"); a file that is none
of them is read as cp1251, what Excel saves as "CSV" on a Russian Windows. The delimiter is
the header line's most frequent of , ; and tab.

    roster = load_roster(path)              # RosterError, naming the line, when it cannot be used
    people, missing, unknown = match(roster, entry_names)

Standard library only.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from checker.i18n import N_

# The field -> the header spellings it accepts, normalised by _header(); the first present wins
# (Canvas has both "ID" and "SIS User ID": the SIS one is the school's).
COLUMNS = {
    "entry": ("entry", "entry_name", "folder", "folder_name", "submission", "submission_name",
              "directory", "dir", "file", "папка", "каталог", "работа", "файл"),
    "id": ("student_id", "studentid", "sis_id", "sis_user_id", "id_number", "idnumber", "student_number",
           "id", "номер", "id_студента", "номер_студента"),
    "name": ("name", "full_name", "fullname", "student_name", "student", "display_name", "фио", "имя",
             "студент"),
    "email": ("email", "e_mail", "email_address", "mail", "почта", "эл_почта", "электронная_почта"),
}


# Why a roster cannot be used: catalog keys (checker/locale), each with its params.
PROBLEMS = (N_("roster-empty"), N_("roster-no-entry-column"), N_("roster-duplicate"), N_("roster-not-csv"))


class RosterError(ValueError):
    """A roster that cannot be used; the message names the file and the line."""

    def __init__(self, path, line: int, text: str, key: str = "roster-bad", **params):
        self.path, self.line, self.key, self.params = path, line, key, params
        super().__init__(f"{path}, line {line}: {text}")


@dataclass(frozen=True)
class Person:
    entry: str  # "" when the roster does not know it (the person can only be missing)
    id: str = ""
    name: str = ""
    email: str = ""
    line: int = 0  # in the file, from 1 (the header)

    def as_dict(self) -> dict:
        return {"entry": self.entry, "id": self.id, "name": self.name, "email": self.email}


@dataclass
class Roster:
    people: list[Person]
    path: Path | None = None
    delimiter: str = ","
    encoding: str = "utf-8"
    columns: dict = field(default_factory=dict)  # field -> the header as the file spells it


def _header(text: str) -> str:
    return re.sub(r"[\s_\-.]+", "_", unicodedata.normalize("NFKC", text).strip().casefold()).strip("_")


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1251", errors="replace"), "cp1251"


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def load_roster(path) -> Roster:
    path = Path(path)
    text, encoding = _decode(path.read_bytes())
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = _delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: dict[str, int] | None = None
    spelled: list[str] = []
    people: list[Person] = []
    seen: dict[str, int] = {}
    start = 1
    try:
        for row in reader:
            line, start = start, reader.line_num + 1  # a quoted cell may span lines: its first
            cells = [cell.strip() for cell in row]
            if not any(cells):
                continue
            if header is None:
                header, spelled = _columns(path, line, cells), cells
                continue
            value = {f: (cells[i] if i < len(cells) else "") for f, i in header.items()}
            entry = unicodedata.normalize("NFC", value["entry"])
            if entry and entry in seen:
                raise RosterError(path, line, f"the entry {entry!r} is already on line {seen[entry]}",
                                  "roster-duplicate", entry=entry, first=seen[entry])
            if entry:
                seen[entry] = line
            people.append(Person(value["entry"], value.get("id", ""), value.get("name", ""),
                                 value.get("email", ""), line))
    except csv.Error as exc:
        raise RosterError(path, reader.line_num, f"not a CSV file: {exc}", "roster-not-csv") from None
    if header is None:
        raise RosterError(path, 1, "the roster is empty; it needs a header row (entry, id, name, email)",
                          "roster-empty")
    return Roster(people, path, delimiter, encoding, {f: spelled[i] for f, i in header.items()})


def _columns(path: Path, line: int, cells: list[str]) -> dict[str, int]:
    """field -> its column, from the header row."""
    normal = [_header(cell) for cell in cells]
    found = {}
    for name, spellings in COLUMNS.items():
        for spelling in spellings:
            if spelling in normal:
                found[name] = normal.index(spelling)
                break
    if "entry" not in found:
        raise RosterError(
            path, line,
            f"no column names the entry (one of: {', '.join(COLUMNS['entry'][:6])}); "
            f"the header is: {', '.join(cells)}", "roster-no-entry-column", header=", ".join(cells))
    return found


# --- matching -------------------------------------------------------------------------------
# What an LMS appends to the student's name: Moodle's "_12345_assignsubmission_file_..." and
# Canvas's "_late_12345_67890_...".
LMS_TAIL = re.compile(r"(_\d+_(assignsubmission|onlinetext)_.*|(_late)?_\d+_\d+_.*)$", re.DOTALL)


def loose(name: str) -> str:
    """A name as a person would compare it: case, spaces, "_" and "-" aside, ё as е, NFKC."""
    text = unicodedata.normalize("NFKC", name).casefold().replace("ё", "е")
    return re.sub(r"[\s_\-]+", "", text)


def match(roster: Roster, entry_names) -> tuple[dict[str, dict], list[dict], list[str]]:
    """(people, missing, unknown): each entry's roster person as a dict (entry, id, name, email,
    and "matched": "exact", "loose" or "lms"); the people no entry matched, in the roster's
    order; the entries no person matched, in the order given.

    Exact names first, then names compared loosely (loose()), then both without what an
    LMS appends to a name (Moodle's "_12345_assignsubmission_file_", Canvas's "_12345_67890_"). A person is one
    entry's at most; where a loose comparison finds two on either side, it guesses neither.
    """
    names = list(dict.fromkeys(entry_names))
    people: dict[str, dict] = {}
    free = [p for p in roster.people if p.entry]
    by_exact = {unicodedata.normalize("NFC", p.entry): p for p in free}
    taken: set[int] = set()
    for name in names:
        person = by_exact.get(name) or by_exact.get(unicodedata.normalize("NFC", name))
        if person is not None and id(person) not in taken:
            taken.add(id(person))
            people[name] = dict(person.as_dict(), matched="exact")
    for how, key in (("loose", loose), ("lms", lambda n: loose(LMS_TAIL.sub("", n)))):
        left = [n for n in names if n not in people]
        waiting = [p for p in free if id(p) not in taken]
        entries_by: dict[str, list[str]] = {}
        for name in left:
            entries_by.setdefault(key(name), []).append(name)
        people_by: dict[str, list[Person]] = {}
        for person in waiting:
            people_by.setdefault(key(person.entry), []).append(person)
        for k, found in entries_by.items():
            candidates = people_by.get(k, [])
            if len(found) == 1 and len(candidates) == 1:
                taken.add(id(candidates[0]))
                people[found[0]] = dict(candidates[0].as_dict(), matched=how)
    missing = [p.as_dict() for p in roster.people if id(p) not in taken]
    unknown = [n for n in names if n not in people]
    return people, missing, unknown
