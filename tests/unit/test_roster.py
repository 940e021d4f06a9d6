"""The roster: read from the CSV an instructor has, matched to the export's entry names."""

from __future__ import annotations

import unicodedata

import pytest

from checker.roster import Person, RosterError, load_roster, loose, match


def write(tmp_path, text: str, encoding: str = "utf-8", name: str = "roster.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def people(roster) -> list[tuple]:
    return [(p.entry, p.id, p.name, p.email, p.line) for p in roster.people]


# --- reading --------------------------------------------------------------------------------
def test_utf8_with_bom_and_commas(tmp_path):
    roster = load_roster(write(tmp_path, "\ufeffEntry,Student ID,Name,Email\r\nanna,101,Anna Ivanova,a@x.ru\r\n"))
    assert people(roster) == [("anna", "101", "Anna Ivanova", "a@x.ru", 2)]
    assert (roster.delimiter, roster.encoding) == (",", "utf-8")
    assert roster.columns == {"entry": "Entry", "id": "Student ID", "name": "Name", "email": "Email"}


def test_semicolons_and_common_spellings(tmp_path):
    roster = load_roster(write(tmp_path, "FOLDER; SIS_ID ;Full Name;E-mail\nboris;7;Boris P;b@x.ru\n"))
    assert people(roster) == [("boris", "7", "Boris P", "b@x.ru", 2)]
    assert roster.delimiter == ";"


def test_canvas_prefers_the_sis_id(tmp_path):
    roster = load_roster(write(tmp_path, "Student,ID,SIS User ID,Submission\nVera S,555,S-01,vera\n"))
    assert people(roster) == [("vera", "S-01", "Vera S", "", 2)]


def test_russian_excel_cp1251_and_headers(tmp_path):
    text = "Папка;ФИО;Эл. почта;Номер\nИванова Анна;Иванова Анна Сергеевна;anna@x.ru;12\n"
    roster = load_roster(write(tmp_path, text, "cp1251"))
    assert people(roster) == [("Иванова Анна", "12", "Иванова Анна Сергеевна", "anna@x.ru", 2)]
    assert (roster.encoding, roster.delimiter) == ("cp1251", ";")


def test_utf16_tabs(tmp_path):
    roster = load_roster(write(tmp_path, "\ufeffsubmission\tname\ngleb\tGleb\n", "utf-16-le"))
    assert people(roster) == [("gleb", "", "Gleb", "", 2)]
    assert (roster.encoding, roster.delimiter) == ("utf-16", "\t")


def test_only_the_entry_column_is_needed_and_lines_are_counted(tmp_path):
    text = 'entry,name\n\nanna,"Anna\nIvanova"\n,No Folder Yet\nboris\n'
    roster = load_roster(write(tmp_path, text))
    assert people(roster) == [("anna", "", "Anna\nIvanova", "", 3), ("", "", "No Folder Yet", "", 5),
                              ("boris", "", "", "", 6)]


def test_no_entry_column_names_the_line(tmp_path):
    path = write(tmp_path, "\n\nname,email\nAnna,a@x.ru\n")
    with pytest.raises(RosterError) as raised:
        load_roster(path)
    assert str(raised.value) == (
        f"{path}, line 3: no column names the entry (one of: entry, entry_name, folder, folder_name, "
        "submission, submission_name); the header is: name, email")
    assert (raised.value.line, raised.value.key) == (3, "roster-no-entry-column")


def test_a_duplicated_entry_names_both_lines(tmp_path):
    path = write(tmp_path, "entry;id\nanna;1\nboris;2\nanna;3\n")
    with pytest.raises(RosterError) as raised:
        load_roster(path)
    assert str(raised.value) == f"{path}, line 4: the entry 'anna' is already on line 2"
    assert (raised.value.key, raised.value.params) == ("roster-duplicate", {"entry": "anna", "first": 2})


@pytest.mark.parametrize("text", ["", "\n \n", " ; \n;;\n"])
def test_an_empty_roster(tmp_path, text):
    with pytest.raises(RosterError, match=r"line 1: the roster is empty"):
        load_roster(write(tmp_path, text))


# --- matching -------------------------------------------------------------------------------
def roster_of(tmp_path, *rows: str):
    return load_roster(write(tmp_path, "entry,id,name,email\n" + "\n".join(rows) + "\n"))


def test_exact_then_loose_then_missing_and_unknown(tmp_path):
    roster = roster_of(tmp_path, "anna,1,Anna,a@x", "Boris Petrov,2,Boris,", "vera,3,Vera,", "Семёнов Иван,4,Иван,",
                       ",5,Nobody,")
    found, missing, unknown = match(roster, ["anna", "boris_petrov", "Семенов  иван", "stranger", "anna"])
    assert found == {
        "anna": {"entry": "anna", "id": "1", "name": "Anna", "email": "a@x", "matched": "exact"},
        "boris_petrov": {"entry": "Boris Petrov", "id": "2", "name": "Boris", "email": "", "matched": "loose"},
        "Семенов  иван": {"entry": "Семёнов Иван", "id": "4", "name": "Иван", "email": "", "matched": "loose"},
    }
    assert missing == [{"entry": "vera", "id": "3", "name": "Vera", "email": ""},
                       {"entry": "", "id": "5", "name": "Nobody", "email": ""}]
    assert unknown == ["stranger"]


def test_exact_wins_and_a_person_is_one_entrys(tmp_path):
    roster = roster_of(tmp_path, "Anna,1,,")
    found, missing, unknown = match(roster, ["anna", "Anna"])
    assert {k: v["matched"] for k, v in found.items()} == {"Anna": "exact"}
    assert (missing, unknown) == ([], ["anna"])


def test_a_loose_tie_guesses_neither(tmp_path):
    roster = roster_of(tmp_path, "ivanov,1,,", "Ivanov ,2,,")  # cells are stripped: "Ivanov" and "ivanov"
    found, missing, unknown = match(roster, ["IVANOV", "i_vanov"])
    assert found == {} and unknown == ["IVANOV", "i_vanov"]
    assert [p["id"] for p in missing] == ["1", "2"]


def test_lms_tails_are_compared_last(tmp_path):
    roster = roster_of(tmp_path, "Иванова Анна,1,,", "petrovivan,2,,", "Sidorov Oleg_103_assignsubmission_file_,3,,")
    names = ["Иванова Анна_101_assignsubmission_file_", "petrovivan_late_12345_67890_lab4",
             "Sidorov Oleg_103_assignsubmission_file_"]
    found, missing, unknown = match(roster, names)
    assert {k: (v["id"], v["matched"]) for k, v in found.items()} == {
        "Иванова Анна_101_assignsubmission_file_": ("1", "lms"),
        "petrovivan_late_12345_67890_lab4": ("2", "lms"),
        "Sidorov Oleg_103_assignsubmission_file_": ("3", "exact"),
    }
    assert (missing, unknown) == ([], [])


def test_unicode_forms_match_exactly(tmp_path):
    """A macOS folder name is NFD; the roster typed on Windows is NFC."""
    roster = roster_of(tmp_path, "Йорк,1,,")
    decomposed = unicodedata.normalize("NFD", "Йорк")
    assert decomposed != "Йорк"
    found, _, _ = match(roster, [decomposed])
    assert found[decomposed]["matched"] == "exact"


def test_loose():
    assert loose(" Ivanova_Anna-Maria ") == loose("ivanova anna maria") == "ivanovaannamaria"
    assert loose("Семёнов") == loose("СЕМЕНОВ")
    assert Person("a").as_dict() == {"entry": "a", "id": "", "name": "", "email": ""}
