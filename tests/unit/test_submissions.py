"""Submissions as LMS exports deliver them: folders and archives, unpacked safely (in process)."""

from __future__ import annotations

import copy
import io
import json
import os
import pickle
import tarfile
import zipfile
from pathlib import Path

import pytest

from checker import submissions
from checker.i18n import render
from checker.submissions import NOTES, PROBLEMS, ExportError, Limits, Note, entries, expand_export

MANAGE = 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n'
PROJECT = {"manage.py": MANAGE, "mysite/__init__.py": "", "mysite/settings.py": "DEBUG = True\n"}
KiB, MiB = 2**10, 2**20


def files(prefix: str = "", project: dict = PROJECT) -> dict[str, str]:
    return {prefix + name: text for name, text in project.items()}


def make_zip(path: Path, members: dict, utf8_flag: bool = True) -> Path:
    """members: name -> str or bytes (a file), None (a folder), or a ZipInfo-ready tuple."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if isinstance(data, zipfile.ZipInfo):
                zf.writestr(data, b"x")
            elif data is None:
                zf.writestr(zipfile.ZipInfo(name if name.endswith("/") else name + "/"), b"")
            else:
                zf.writestr(name, data)
    return path


def make_tar(path: Path, members: list[tarfile.TarInfo | tuple[str, bytes | str]], mode: str = "w:gz") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, mode, format=tarfile.PAX_FORMAT) as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, data = member
                data = data.encode() if isinstance(data, str) else data
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def tar_files(mapping: dict) -> list[tuple[str, str]]:
    return list(mapping.items())


def snapshot(root: Path, scratch: Path) -> set[str]:
    """Everything under root but scratch: what a run must not change."""
    seen = set()
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = [d for d in dirnames if here / d != scratch]
        for name in dirnames + filenames:
            path = here / name
            stamp = path.stat().st_size if path.is_file() and not path.is_symlink() else 0
            seen.add(f"{path.relative_to(root)}:{stamp}")
    return seen


@pytest.fixture
def class_dir(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    return folder


@pytest.fixture
def run(tmp_path):
    """entries() of a folder, checking that nothing was written outside scratch."""
    scratch = tmp_path / "scratch"

    def run_entries(folder: Path, limits: Limits | None = None, **kwargs):
        before = snapshot(tmp_path, scratch)
        found = entries(folder, scratch, limits or Limits(), **kwargs)
        assert snapshot(tmp_path, scratch) == before
        assert not (tmp_path.parent / "evil").exists() and not (tmp_path / "evil").exists()
        assert not list(scratch.glob(".*.partial-*")) and not list(scratch.glob(".inner/.*.partial-*"))
        for entry in found:  # every problem and note says itself with its own parameters
            assert entry.problem in PROBLEMS or entry.problem == ""
            assert entry.describe() == (render(entry.problem, "en", entry.params) if entry.problem else "")
            for value in entry.params.values():
                assert isinstance(value, (str, int))
            for note in entry.notes:
                assert note.key in NOTES and str(note) == render(note.key, "en", note.params)
        return found

    run_entries.scratch = scratch
    return run_entries


def only(found, name):
    [entry] = [e for e in found if e.name == name]
    return entry


def keys(entry) -> list[str]:
    return [note.key for note in entry.notes]


def tree(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*"))


# --- folders and archives ---------------------------------------------------------------
def test_a_normal_zip_is_unpacked_into_scratch_under_its_name(class_dir, run):
    make_zip(class_dir / "anna.zip", files())
    [entry] = run(class_dir)
    assert (entry.name, entry.source, entry.problem, entry.params, entry.notes) == (
        "anna", class_dir / "anna.zip", "", {}, [])
    assert entry.project == run.scratch / "anna"
    assert (entry.project / "manage.py").read_text() == MANAGE
    assert tree(run.scratch / "anna") == ["manage.py", "mysite", "mysite/__init__.py", "mysite/settings.py"]


def test_a_folder_is_checked_where_it_is(class_dir, run):
    for name, text in files("boris/").items():
        (class_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (class_dir / name).write_text(text)
    [entry] = run(class_dir)
    assert (entry.name, entry.project, entry.problem, entry.notes) == ("boris", class_dir / "boris", "", [])
    assert not (run.scratch / "boris").exists()


def test_nested_folders_are_descended_and_said(class_dir, run):
    make_zip(class_dir / "vera.zip", files("vera/project-main/"))
    [entry] = run(class_dir)
    assert entry.project == run.scratch / "vera" / "vera" / "project-main"
    assert [(n.key, n.params) for n in entry.notes] == [
        ("note-project-in-subfolder", {"path": "vera/project-main"})]


def test_tar_gz_tgz_and_tar_xz(class_dir, run):
    make_tar(class_dir / "a.tar.gz", tar_files(files("./")))
    make_tar(class_dir / "b.tgz", tar_files(files("b/")))
    make_tar(class_dir / "c.tar.xz", tar_files(files()), mode="w:xz")
    make_tar(class_dir / "d.TAR", tar_files(files()), mode="w")
    found = run(class_dir)
    assert [(e.name, e.problem) for e in found] == [("a", ""), ("b", ""), ("c", ""), ("d", "")]
    assert [e.project for e in found] == [run.scratch / "a", run.scratch / "b" / "b", run.scratch / "c",
                                          run.scratch / "d"]
    assert (run.scratch / "a" / "mysite" / "settings.py").read_text() == "DEBUG = True\n"


def test_macos_metadata_is_left_out(class_dir, run):
    make_zip(class_dir / "gleb.zip", {
        **files("gleb/"), "__MACOSX/gleb/._manage.py": b"\0\5\26\7", "__MACOSX/": None,
        "gleb/._settings.py": b"\0", "gleb/.DS_Store": b"\0",
    })
    (class_dir / "__MACOSX").mkdir()
    (class_dir / "__MACOSX" / "._gleb.zip").write_bytes(b"\0")
    (class_dir / ".DS_Store").write_bytes(b"\0")
    [entry] = run(class_dir)
    assert entry.project == run.scratch / "gleb" / "gleb"
    assert [(n.key, n.params) for n in entry.notes] == [
        ("note-macos-metadata", {"count": 4}), ("note-project-in-subfolder", {"path": "gleb"})]
    assert tree(run.scratch / "gleb") == ["gleb", "gleb/manage.py", "gleb/mysite", "gleb/mysite/__init__.py",
                                          "gleb/mysite/settings.py"]


def test_windows_backslashes_are_separators(class_dir, run):
    make_zip(class_dir / "win.zip", {name.replace("/", "\\"): text for name, text in files("win/").items()})
    [entry] = run(class_dir)
    assert entry.project == run.scratch / "win" / "win"
    assert (entry.project / "mysite" / "settings.py").is_file()


# --- what an archive may not do ----------------------------------------------------------
@pytest.mark.parametrize(("member", "reason"), [
    ("../evil", "parent"),
    ("proj/../../evil", "parent"),
    ("..\\evil", "parent"),
    ("/ABSOLUTE/evil", "absolute"),
    ("\\\\server\\share\\evil", "absolute"),
    ("C:\\evil", "drive"),
    ("c:evil", "drive"),
])
def test_a_path_out_of_the_archive_refuses_it_whole(class_dir, run, tmp_path, member, reason):
    member = member.replace("ABSOLUTE", str(tmp_path).lstrip("/"))
    make_zip(class_dir / "mallory.zip", {**files(), member: "owned"})
    [entry] = run(class_dir)
    assert (entry.project, entry.problem, entry.params) == (
        None, "archive-unsafe", {"archive": "mallory.zip", "member": member, "reason": reason})
    assert not (run.scratch / "mallory").exists()
    assert not (tmp_path / "evil").exists() and not Path("C:\\evil").exists()


@pytest.mark.parametrize("filtered", [True, False], ids=["data-filter", "own-checks-only"])
def test_a_tar_path_out_of_it_is_refused(class_dir, run, tmp_path, monkeypatch, filtered):
    if not filtered:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    make_tar(class_dir / "mallory.tar.gz", [*tar_files(files()), ("../evil", "owned")])
    make_tar(class_dir / "oscar.tar.gz", [*tar_files(files()), (str(tmp_path / "evil"), "owned")])
    found = run(class_dir)
    assert [(e.name, e.problem, e.params) for e in found] == [
        ("mallory", "archive-unsafe", {"archive": "mallory.tar.gz", "member": "../evil", "reason": "parent"}),
        ("oscar", "archive-unsafe", {"archive": "oscar.tar.gz", "member": str(tmp_path / "evil"),
                                     "reason": "absolute"}),
    ]
    assert list(run.scratch.iterdir()) == []


def link(name: str, target: str, kind=tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info


@pytest.mark.parametrize("filtered", [True, False], ids=["data-filter", "own-checks-only"])
def test_links_and_devices_in_a_tar_are_never_made(class_dir, run, tmp_path, monkeypatch, filtered):
    if not filtered:
        monkeypatch.delattr(tarfile, "data_filter", raising=False)
    device = tarfile.TarInfo("proj/tty")
    device.type, device.devmajor, device.devminor = tarfile.CHRTYPE, 5, 0
    fifo = tarfile.TarInfo("proj/pipe")
    fifo.type = tarfile.FIFOTYPE
    make_tar(class_dir / "sym.tar.gz", [
        *tar_files(files("proj/")),
        link("proj/passwd", "/etc/passwd"),
        link("proj/up", "../../.."),
        link("proj/hard", "../../evil", tarfile.LNKTYPE),
        link("proj/escape", str(tmp_path)),
        ("proj/escape/evil", "through the link"),  # a real folder now: the link was never made
        device, fifo,
    ])
    [entry] = run(class_dir)
    assert entry.project == run.scratch / "sym" / "proj"
    assert [(n.key, n.params) for n in entry.notes] == [
        ("note-links", {"count": 4, "paths": "proj/passwd, proj/up, proj/hard, proj/escape"}),
        ("note-special-files", {"count": 2, "paths": "proj/tty, proj/pipe"}),
        ("note-project-in-subfolder", {"path": "proj"}),
    ]
    unpacked = run.scratch / "sym"
    assert not any(p.is_symlink() for p in unpacked.rglob("*"))
    assert all(p.is_dir() or p.is_file() for p in unpacked.rglob("*"))
    assert (unpacked / "proj" / "escape" / "evil").read_text() == "through the link"
    assert not (tmp_path / "evil").exists()


def test_zip_symlinks_are_left_out(class_dir, run):
    info = zipfile.ZipInfo("proj/passwd")
    info.create_system = 3
    info.external_attr = (0o120777 << 16)
    with zipfile.ZipFile(make_zip(class_dir / "zl.zip", files("proj/")), "a") as zf:
        zf.writestr(info, "/etc/passwd")
    [entry] = run(class_dir)
    assert entry.project == run.scratch / "zl" / "proj"
    assert (entry.notes[0].key, entry.notes[0].params) == ("note-links", {"count": 1, "paths": "proj/passwd"})
    assert not (entry.project / "passwd").exists()


# --- caps -----------------------------------------------------------------------------------
def test_a_zip_bomb_stops_at_the_total_cap(class_dir, run):
    zeros = b"\0" * (300 * KiB)
    make_zip(class_dir / "bomb.zip", {**files(), **{f"pad/{i}.bin": zeros for i in range(20)}})
    assert (class_dir / "bomb.zip").stat().st_size < 100 * KiB
    [entry] = run(class_dir, Limits(total_bytes=MiB))
    assert (entry.project, entry.problem, entry.params) == (
        None, "archive-too-big", {"archive": "bomb.zip", "limit": MiB, "limit_mb": 1})
    assert list(run.scratch.iterdir()) == []


def test_a_header_that_lies_about_the_size_does_not_get_past(class_dir, run):
    """zipfile stops at the size the directory declares; the CRC then gives the lie away."""
    path = make_zip(class_dir / "liar.zip", {**files(), "big.bin": b"\0" * (2 * MiB)})
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("big.bin")
    size = (2 * MiB).to_bytes(4, "little")
    for start in (i for i in range(len(data)) if data[i:i + 4] == size):  # local and central headers
        data[start:start + 4] = (10).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    assert info.file_size == 2 * MiB
    [entry] = run(class_dir, Limits(member_bytes=MiB))
    assert (entry.problem, entry.params["archive"]) == ("archive-bad", "liar.zip")
    assert "CRC" in entry.params["error"]


def test_a_member_past_its_cap_is_left_out_with_a_note(class_dir, run):
    make_zip(class_dir / "dump.zip", {**files(), "db.sqlite3": b"\0" * (2 * MiB), "media/clip.mp4": b"\1" * MiB})
    make_tar(class_dir / "dump2.tar.gz", [*tar_files(files()), ("db.sqlite3", b"\0" * (2 * MiB))])
    found = run(class_dir, Limits(member_bytes=MiB))
    assert [e.name for e in found] == ["dump", "dump2"]
    for entry in found:
        assert entry.problem == "" and entry.project == run.scratch / entry.name
        assert [(n.key, n.params) for n in entry.notes] == [
            ("note-big-files", {"count": 1, "paths": "db.sqlite3", "limit_mb": 1})]
        assert not (entry.project / "db.sqlite3").exists()
    assert (run.scratch / "dump" / "media" / "clip.mp4").stat().st_size == MiB


def test_too_many_members(class_dir, run):
    make_zip(class_dir / "many.zip", {**files(), **{f"f/{i}": "" for i in range(30)}})
    make_tar(class_dir / "many2.tar.gz", [*tar_files(files()), *((f"f/{i}", "") for i in range(30))])
    found = run(class_dir, Limits(members=20))
    assert [(e.problem, e.params) for e in found] == [
        ("archive-too-many-members", {"archive": "many.zip", "limit": 20}),
        ("archive-too-many-members", {"archive": "many2.tar.gz", "limit": 20}),
    ]


def test_a_tar_bomb_stops_at_the_read_cap(class_dir, run):
    make_tar(class_dir / "tb.tar.gz", [*tar_files(files()), ("zeros", b"\0" * (4 * MiB))])
    [entry] = run(class_dir, Limits(read_bytes=2 * MiB))
    assert (entry.problem, entry.params) == (
        "archive-too-big", {"archive": "tb.tar.gz", "limit": 2 * MiB, "limit_mb": 2})


def test_a_tar_header_too_big_to_buffer_is_refused(class_dir, run):
    info = tarfile.TarInfo("manage.py")
    info.pax_headers = {"comment": "x" * (3 * MiB)}  # tarfile would read it into memory whole
    info.size = len(MANAGE)
    path = class_dir / "pax.tar.gz"
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(info, io.BytesIO(MANAGE.encode()))
    [entry] = run(class_dir, Limits(member_bytes=MiB))
    assert (entry.problem, entry.params["archive"]) == ("archive-too-big", "pax.tar.gz")


def test_left_out_folders_do_not_count(class_dir, run):
    venv = {f".venv/lib/python3.12/site-packages/django/f{i}.py": "x" * (100 * KiB) for i in range(20)}
    make_zip(class_dir / "venv.zip", {
        **files(), **venv, "myenv/pyvenv.cfg": "home = /usr/bin\n",
        "myenv/lib/python3.12/site-packages/pkg/manage.py": MANAGE, ".git/objects/ab": "x" * MiB,
        "chat/__pycache__/views.cpython-312.pyc": "x",
    })
    [entry] = run(class_dir, Limits(total_bytes=MiB // 2))
    assert entry.project == run.scratch / "venv" and entry.problem == ""
    assert [(n.key, n.params) for n in entry.notes] == [
        ("note-left-out-folders", {"count": 23, "folders": ".git, .venv, chat/__pycache__, "
                                                           "myenv/lib/python3.12/site-packages"})]
    assert sorted(os.listdir(entry.project)) == ["manage.py", "myenv", "mysite"]  # chat/ held only a .pyc


# --- broken archives ------------------------------------------------------------------------
def test_corrupt_archives(class_dir, run):
    (class_dir / "noise.zip").write_bytes(os.urandom(2000))
    whole = make_zip(class_dir / "half.zip", {**files(), "big.txt": os.urandom(20 * KiB)}).read_bytes()
    (class_dir / "half.zip").write_bytes(whole[: len(whole) // 2])
    gz = make_tar(class_dir / "cut.tar.gz", [*tar_files(files()), ("x.bin", os.urandom(50 * KiB))]).read_bytes()
    (class_dir / "cut.tar.gz").write_bytes(gz[: len(gz) // 2])
    (class_dir / "text.tgz").write_text("not a tar at all")
    (class_dir / "empty.zip").write_bytes(b"")
    found = run(class_dir)
    assert [(e.name, e.problem, e.params["archive"]) for e in found] == [
        ("cut", "archive-bad", "cut.tar.gz"), ("empty", "archive-bad", "empty.zip"),
        ("half", "archive-bad", "half.zip"), ("noise", "archive-bad", "noise.zip"),
        ("text", "archive-bad", "text.tgz"),
    ]
    errors = {e.name: e.params["error"] for e in found}
    assert errors["noise"] == "BadZipFile: File is not a zip file"
    assert errors["cut"].startswith(("EOFError", "ReadError", "BadGzipFile", "OSError"))
    assert errors["text"].startswith("ReadError")
    assert list(run.scratch.iterdir()) == []


def test_an_encrypted_zip_says_so(class_dir, run):
    path = make_zip(class_dir / "secret.zip", {"manage.py": MANAGE})
    data = bytearray(path.read_bytes())
    for signature, flags in ((b"PK\3\4", 6), (b"PK\1\2", 8)):  # zipfile writes no encryption: a flag
        at = data.index(signature) + flags
        data[at] |= 0x1
    path.write_bytes(bytes(data))
    [entry] = run(class_dir)
    assert (entry.problem, entry.params) == ("archive-encrypted", {"archive": "secret.zip"})


# --- finding the project ---------------------------------------------------------------------
def test_two_manage_py_are_listed_none_is_said(class_dir, run):
    make_zip(class_dir / "two.zip", {**files("old/"), **files("new/src/")})
    make_zip(class_dir / "none.zip", {"README.md": "soon", "chat/views.py": ""})
    (class_dir / "blank").mkdir()
    found = run(class_dir)
    assert [(e.name, e.project, e.problem, e.params) for e in found] == [
        ("blank", None, "empty", {}),
        ("none", None, "no-manage-py", {"count": 2}),
        ("two", None, "several-manage-py", {"paths": "new/src/manage.py, old/manage.py", "count": 2}),
    ]


def test_manage_py_in_venvs_and_site_packages_does_not_count(class_dir, run):
    dasha = class_dir / "dasha"
    for name in ("manage.py", "anyname/pyvenv.cfg", "anyname/manage.py", ".venv/manage.py",
                 "conda/lib/python3.12/site-packages/demo/manage.py", "node_modules/x/manage.py",
                 ".git/manage.py", "__MACOSX/manage.py"):
        (dasha / name).parent.mkdir(parents=True, exist_ok=True)
        (dasha / name).write_text(MANAGE)
    [entry] = run(class_dir)
    assert (entry.project, entry.problem, entry.notes) == (dasha, "", [])


def test_loose_files_get_their_row(class_dir, run):
    (class_dir / "readme.txt").write_text("hello")
    (class_dir / "Petrov_lab.rar").write_bytes(b"Rar!\x1a\x07\x00")
    (class_dir / "consumers.py").write_text("")
    (class_dir / "Thumbs.db").write_bytes(b"\0")
    (class_dir / "desktop.ini").write_text("")
    os.mkfifo(class_dir / "pipe.zip")  # opening it would wait forever
    found = run(class_dir)
    assert [(e.name, e.source.name, e.project, e.problem, e.params) for e in found] == [
        ("consumers.py", "consumers.py", None, "not-a-submission", {"file": "consumers.py"}),
        ("Petrov_lab", "Petrov_lab.rar", None, "archive-unsupported", {"archive": "Petrov_lab.rar", "format": "rar"}),
        ("pipe.zip", "pipe.zip", None, "not-a-submission", {"file": "pipe.zip"}),
        ("readme.txt", "readme.txt", None, "not-a-submission", {"file": "readme.txt"}),
    ]


def test_hidden_tooling_scratch_and_ignored_are_skipped(class_dir, run, tmp_path):
    for name in (".git", ".venv", "venv", "node_modules", "__pycache__", "__MACOSX"):
        (class_dir / name).mkdir()
    (class_dir / ".hidden.zip").write_bytes(b"")
    (class_dir / "roster.csv").write_text("entry\n")
    (class_dir / "grades.md").write_text("")
    (class_dir / "anna").mkdir()
    found = run(class_dir, ignore=[class_dir / "roster.csv", class_dir / "grades.md"])
    assert [e.name for e in found] == ["anna"]
    inside = class_dir / "scratch-here"
    found = entries(class_dir, inside, ignore=[class_dir / "roster.csv", class_dir / "grades.md"])
    assert [e.name for e in found] == ["anna"]


def test_one_name_twice_keeps_the_folder(class_dir, run):
    make_zip(class_dir / "anna.zip", files())
    make_tar(class_dir / "anna.tar.gz", tar_files(files()))
    (class_dir / "anna").mkdir()
    (class_dir / "anna" / "manage.py").write_text(MANAGE)
    make_zip(class_dir / "boris.zip", files())
    make_tar(class_dir / "boris.tgz", tar_files(files()))
    found = run(class_dir)
    assert [(e.name, e.project, e.problem, e.params) for e in found] == [
        ("anna", class_dir / "anna", "", {}),
        ("anna.tar.gz", None, "duplicate-name", {"name": "anna", "kept": "anna"}),
        ("anna.zip", None, "duplicate-name", {"name": "anna", "kept": "anna"}),
        ("boris", run.scratch / "boris", "", {}),
        ("boris.zip", None, "duplicate-name", {"name": "boris", "kept": "boris.tgz"}),
    ]


def test_sorted_by_name_whatever_the_case(class_dir, run):
    for name in ("boris", "Anna", "vera", "Gleb", "ivan"):
        (class_dir / name).mkdir()
    assert [e.name for e in run(class_dir)] == ["Anna", "boris", "Gleb", "ivan", "vera"]


def test_cyrillic_names_and_a_moodle_folder_holding_the_zip(class_dir, run):
    moodle = class_dir / "Иванова Анна_12345_assignsubmission_file_"
    make_zip(moodle / "проект.zip", files("чат-проект/"))
    (moodle / "onlinetext.html").write_text("<p>см. архив</p>")
    [entry] = run(class_dir)
    assert entry.name == "Иванова Анна_12345_assignsubmission_file_" and entry.problem == ""
    assert entry.project == run.scratch / ".inner" / entry.name / "чат-проект"
    assert [(n.key, n.params) for n in entry.notes] == [
        ("note-inner-archive", {"archive": "проект.zip"}),
        ("note-project-in-subfolder", {"path": "проект.zip/чат-проект"}),
    ]
    assert str(entry.notes[0]) == "unpacked проект.zip found inside"


@pytest.mark.parametrize("encoding", ["utf-8", "cp866"])
def test_zip_names_without_the_utf8_flag(class_dir, run, encoding):
    """macOS writes UTF-8 names unflagged, a Russian Windows cp866: both come back."""
    folder = "Проект"
    placeholder = "X" * len(folder.encode(encoding))
    path = make_zip(class_dir / "Петров.zip", files(placeholder + "/"))
    path.write_bytes(path.read_bytes().replace(placeholder.encode(), folder.encode(encoding)))
    [entry] = run(class_dir)
    assert entry.name == "Петров" and entry.project == run.scratch / "Петров" / folder


def test_inner_archives_several_bad_or_unreadable(class_dir, run):
    make_zip(class_dir / "two" / "v1.zip", files())
    make_zip(class_dir / "two" / "v2.zip", files())
    (class_dir / "bad").mkdir()
    (class_dir / "bad" / "lab.zip").write_bytes(b"PK\3\4 broken")
    (class_dir / "rar").mkdir()
    (class_dir / "rar" / "lab.7z").write_bytes(b"7z")
    make_zip(class_dir / "zz.zip", {"inner/lab.zip": make_zip(class_dir.parent / "x" / "lab.zip", files()).read_bytes()})
    found = run(class_dir)
    assert [(e.name, e.problem, e.params) for e in found] == [
        ("bad", "archive-bad", {"archive": "lab.zip", "error": "BadZipFile: File is not a zip file"}),
        ("rar", "archive-unsupported", {"archive": "lab.7z", "format": "7z"}),
        ("two", "several-archives", {"archives": "v1.zip, v2.zip", "count": 2}),
        ("zz", "", {}),
    ]
    zz = found[-1]
    assert zz.project == run.scratch / ".inner" / "zz"
    assert keys(zz) == ["note-inner-archive"] and zz.notes[0].params == {"archive": "inner/lab.zip"}


def test_an_inner_archive_shares_the_entrys_budget(class_dir, run):
    inner = make_zip(class_dir.parent / "x" / "inner.zip", {**files(), "pad.bin": b"\0" * (600 * KiB)})
    make_zip(class_dir / "outer.zip", {"inner.zip": inner.read_bytes(), "pad.bin": b"\0" * (600 * KiB)})
    [entry] = run(class_dir, Limits(total_bytes=MiB))
    assert (entry.problem, entry.params) == (
        "archive-too-big", {"archive": "inner.zip", "limit": MiB, "limit_mb": 1})


def test_a_second_run_replaces_the_scratch(class_dir, run):
    make_zip(class_dir / "anna.zip", files())
    run(class_dir)
    (run.scratch / "anna" / "stale.txt").write_text("from before")
    [entry] = run(class_dir)
    assert entry.project == run.scratch / "anna" and not (entry.project / "stale.txt").exists()


# --- notes ----------------------------------------------------------------------------------
def test_a_note_is_its_english_and_its_key():
    note = Note("note-links", count=2, paths="a, b")
    assert note == "left out 2 links: a, b" and (note.key, note.params) == ("note-links", {"count": 2, "paths": "a, b"})
    for again in (copy.deepcopy(note), pickle.loads(pickle.dumps(note))):
        assert again == note and again.key == "note-links" and again.params == note.params
    assert json.dumps([note]) == '["left out 2 links: a, b"]'


# --- a class's export ------------------------------------------------------------------------
def test_a_moodle_export_expands_to_a_folder_of_entries(tmp_path, run):
    student = make_zip(tmp_path / "src" / "lab.zip", files("lab/"))
    export = make_zip(tmp_path / "download" / "export.zip", {
        "Иванова Анна_101_assignsubmission_file_/lab.zip": student.read_bytes(),
        "Petrov Ivan_102_assignsubmission_file_lab.tar.gz":
            make_tar(tmp_path / "src" / "lab.tar.gz", tar_files(files())).read_bytes(),
        "Sidorov Oleg_103_assignsubmission_file_/notes.txt": "forgot the zip",
        "__MACOSX/._x": "\0",
    })
    folder = expand_export(export, run.scratch)
    assert folder == run.scratch / ".export"
    found = run(folder)
    assert [(e.name, e.problem) for e in found] == [
        ("Petrov Ivan_102_assignsubmission_file_lab", ""),
        ("Sidorov Oleg_103_assignsubmission_file_", "no-manage-py"),
        ("Иванова Анна_101_assignsubmission_file_", ""),
    ]


def test_a_wrapped_export_is_descended(tmp_path):
    export = make_zip(tmp_path / "gs.zip", {
        "assignment_77_export/submission_1/manage.py": MANAGE,
        "assignment_77_export/submission_2/manage.py": MANAGE,
        "assignment_77_export/submission_metadata.yml": "{}",
    })
    assert expand_export(export, tmp_path / "s") == tmp_path / "s" / ".export" / "assignment_77_export"


def test_an_export_that_is_one_project_or_broken(tmp_path):
    with pytest.raises(ExportError) as raised:
        expand_export(make_zip(tmp_path / "anna.zip", files()), tmp_path / "s")
    assert (raised.value.key, raised.value.params) == ("export-is-a-project", {"archive": "anna.zip"})
    # wrapped in its folder, it is a class of one
    folder = expand_export(make_zip(tmp_path / "boris.zip", files("boris/")), tmp_path / "s")
    assert [e.name for e in entries(folder, tmp_path / "s")] == ["boris"]
    (tmp_path / "bad.zip").write_bytes(b"nope")
    with pytest.raises(ExportError) as raised:
        expand_export(tmp_path / "bad.zip", tmp_path / "s")
    assert raised.value.key == "archive-bad" and "not a zip file" in str(raised.value)
    with pytest.raises(ExportError) as raised:
        expand_export(make_zip(tmp_path / "big.zip", {"a.zip": b"\0" * MiB}), tmp_path / "s",
                      Limits(total_bytes=KiB, member_bytes=KiB))
    assert raised.value.key == "archive-too-big"


def test_archive_kinds():
    assert submissions.archive_kind("Anna.ZIP") == ("zip", "Anna")
    assert submissions.archive_kind("a.b.tar.gz") == ("tar", "a.b")
    assert submissions.archive_kind(".zip") is None and submissions.archive_kind("a.gz") is None


@pytest.mark.skipif(not hasattr(tarfile, "FilterError"), reason="no tarfile data filter in this Python")
def test_what_tarfiles_data_filter_refuses_is_refused_too(class_dir, run, monkeypatch):
    def refuse(member, dest):
        raise tarfile.FilterError(f"{member.name!r} would be refused")  # a rule ours do not have

    monkeypatch.setattr(tarfile, "data_filter", refuse, raising=False)
    make_tar(class_dir / "f.tar.gz", tar_files(files()))
    [entry] = run(class_dir)
    assert (entry.problem, entry.params) == ("archive-unsafe", {
        "archive": "f.tar.gz", "member": "manage.py", "reason": "filter: 'manage.py' would be refused"})
    assert list(run.scratch.iterdir()) == []
