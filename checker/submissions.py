"""Submissions as an LMS export delivers them: folders, .zip and .tar.gz archives, one a student.

`entries(DIR, scratch)` gives one `Entry` for every entry under DIR, in name order, none
dropped silently: where the project is (the folder that holds manage.py), or a problem key
and its parameters saying why there is none. Archives are unpacked into `scratch/<name>/`
by our own loop, never by extractall(): every member's path is checked before anything is
written, links and device files are never created, and the caps of `Limits` (bytes written,
members, one member's size) are counted on the bytes as they are written, not taken from the
archive's headers, so a zip bomb stops at the cap. For tar, the stream is decompressed through
a reader that stops at `Limits.read_bytes` too (a tar header can ask tarfile to buffer its
size), and tarfile's own `data` filter judges each member as well where Python has it.

`expand_export(ZIP, scratch)` unpacks an LMS "download all" archive (one zip or folder per
student inside) and returns the folder to give entries().

Problem keys and notes are catalog keys with parameters ready for `t(key, lang, **params)`:
str and int values only, lists already joined with ", ", a `count` where there is a number
of things (the catalogs' plural forms). Their sentences are in the catalogs, as every text is.

Standard library only; Python 3.10 to 3.13.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from checker.i18n import N_, render
from checker.project import SKIP_DIRS

MiB = 2**20


@dataclass(frozen=True)
class Limits:
    total_bytes: int = 200 * MiB  # bytes written for one entry (its archive and any inside it)
    member_bytes: int = 100 * MiB  # one file: a bigger one is left out, with a note
    members: int = 20_000  # members read for one entry, whatever is done with them
    read_bytes: int = 1024 * MiB  # a tar's uncompressed stream, parts left out included


# A class's export: student archives are its members, so one member may be as big as all.
EXPORT_LIMITS = Limits(total_bytes=4096 * MiB, member_bytes=4096 * MiB, members=200_000,
                       read_bytes=8192 * MiB)

# The suffixes we unpack (case-insensitive), longest first so ".tar.gz" wins over ".gz".
ARCHIVES = {".tar.gz": "tar", ".tar.bz2": "tar", ".tar.xz": "tar", ".tgz": "tar", ".tbz2": "tar",
            ".tbz": "tar", ".txz": "tar", ".tar": "tar", ".zip": "zip"}
# Archives we cannot open with the standard library: said so, rather than "not a submission".
UNSUPPORTED = {".tar.zst": "zstd", ".rar": "rar", ".7z": "7z", ".zst": "zstd", ".gz": "gzip",
               ".bz2": "bzip2", ".xz": "xz", ".arj": "arj", ".cab": "cab", ".zipx": "zipx"}

# What the operating system or the instructor's tools put next to the submissions.
OS_JUNK = {"__macosx", "thumbs.db", "desktop.ini", "submission_metadata.yml"}
# Never unpacked from an archive: nothing the checker runs needs them, and a venv or a .git
# alone can pass the caps. A venv under another name loses its site-packages all the same.
LEFT_OUT = {".git", ".hg", ".svn", "node_modules", "__pycache__", "site-packages", "dist-packages",
            ".venv", "venv", ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
# Not searched for manage.py (venvs are also recognised by their pyvenv.cfg).
NOT_SEARCHED = SKIP_DIRS | LEFT_OUT | {"__MACOSX"}
CHUNK = 64 * 1024
SHOWN = 10  # paths listed in a parameter at most; `count` says how many there are

# Their sentences are in the catalogs (checker/locale), under the same keys, in ru and en.
PROBLEMS = (N_("no-manage-py"), N_("empty"), N_("several-manage-py"), N_("several-archives"), N_("not-a-submission"),
            N_("archive-unsupported"), N_("archive-bad"), N_("archive-encrypted"), N_("archive-too-big"),
            N_("archive-too-many-members"), N_("archive-unsafe"), N_("duplicate-name"), N_("unreadable"), N_("export-is-a-project"))
NOTES = (N_("note-project-in-subfolder"), N_("note-inner-archive"), N_("note-macos-metadata"), N_("note-left-out-folders"),
         N_("note-links"), N_("note-special-files"), N_("note-big-files"))


def english(key: str, params: dict) -> str:
    return render(key, "en", params)


class Note(str):
    """A note about an entry: its English as the string, and the key and parameters to say it
    in another language (`t(note.key, lang, **note.params)`)."""

    key: str
    params: dict

    def __new__(cls, key: str, **params) -> Note:
        note = super().__new__(cls, english(key, params))
        note.key, note.params = key, params
        return note

    def __reduce__(self):  # copy and pickle make it again from its key, not from its English
        return (_note, (self.key, self.params))


def _note(key: str, params: dict) -> Note:
    return Note(key, **params)


@dataclass
class Entry:
    name: str  # as the export has it: the folder's name, the archive's without its suffix
    source: Path  # the folder or file under DIR it comes from
    project: Path | None  # the folder that holds manage.py, or None
    problem: str = ""  # one of PROBLEMS: why there is no project
    params: dict = field(default_factory=dict)  # the problem's values
    notes: list[Note] = field(default_factory=list)  # what was left aside on the way

    def describe(self) -> str:
        """The problem in English ("" when there is a project)."""
        return english(self.problem, self.params) if self.problem else ""


class ExportError(Exception):
    """expand_export() could not give a folder: key and params as for Entry.problem."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(english(key, params))


class _Refused(Exception):
    """An archive we stop unpacking: the key and params of its Entry's problem."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(key)


# --- what an entry is -----------------------------------------------------------------------
def archive_kind(name: str) -> tuple[str, str] | None:
    """("zip" | "tar", the name without its suffix) for an archive we unpack, else None."""
    return _suffix(name, ARCHIVES)


def _suffix(name: str, table: dict) -> tuple[str, str] | None:
    lower = name.lower()
    for suffix in sorted(table, key=len, reverse=True):
        if lower.endswith(suffix) and len(name) > len(suffix):
            return table[suffix], name[: -len(suffix)]
    return None


def _ignored_at_top(path: Path) -> bool:
    """Not a submission: hidden, the OS's litter, the tooling folders grade always skipped."""
    name = path.name
    if name.startswith(".") or name.lower() in OS_JUNK:
        return True
    return name in SKIP_DIRS and path.is_dir()


def entries(folder: Path, scratch: Path, limits: Limits = Limits(), ignore=()) -> list[Entry]:
    """One Entry for each folder, archive or other file in `folder`, sorted by name.

    A loose file of another kind (a .pdf, a lone .py, a .rar) gets an Entry with a problem
    rather than vanishing: a student who uploaded the wrong thing must appear in the table
    with the reason, not be missing from it with nothing to show the instructor why. The
    caller passes its own files (the roster, the report it writes there) in `ignore`.
    Archives are unpacked into `scratch/<name>/` (replaced if it is there), an archive found
    inside an entry into `scratch/.inner/<name>/`; a folder is checked where it is.
    """
    folder, scratch = Path(folder), Path(scratch)
    scratch.mkdir(parents=True, exist_ok=True)
    skip = {_real(p) for p in (*ignore, scratch)}
    found = []
    for path in folder.iterdir():
        if _ignored_at_top(path) or _real(path) in skip:
            continue
        if path.is_dir():
            found.append((path.name, 0, path))
        elif not path.is_file():  # a pipe, a device, a broken link: never opened
            found.append((path.name, 3, path))
        elif (kind := archive_kind(path.name)) is not None:
            found.append((kind[1], 1, path))
        elif (other := _suffix(path.name, UNSUPPORTED)) is not None:
            found.append((other[1], 2, path))
        else:
            found.append((path.name, 3, path))
    by_name: dict[str, list] = {}
    for name, _rank, path in sorted(found, key=lambda f: (f[1], f[2].name)):
        by_name.setdefault(name, []).append(path)
    result = []
    for name, paths in by_name.items():
        # A folder next to an archive of the same name is mostly the archive unpacked by hand:
        # the folder is checked (as grade always did), the other is named by its file's name.
        kept, *others = paths
        result.append(_entry(name, kept, scratch, limits))
        for other in others:
            result.append(Entry(other.name, other, None, "duplicate-name",
                                {"name": name, "kept": kept.name}))
    return sorted(result, key=lambda e: (e.name.casefold(), e.name))


def _real(path: Path) -> str:
    return os.path.realpath(path)


def _entry(name: str, path: Path, scratch: Path, limits: Limits) -> Entry:
    entry = Entry(name, path, None)
    budget = _Budget(limits)
    try:
        if path.is_dir():
            _settle(entry, path, "", scratch / ".inner" / name, budget, inner=True)
        elif not path.is_file():
            entry.problem, entry.params = "not-a-submission", {"file": path.name}
        elif (kind := archive_kind(path.name)) is not None:
            root = scratch / name
            try:
                _unpack(path, kind[0], root, budget, entry.notes, path.name)
            except _Refused as refused:
                entry.problem, entry.params = refused.key, refused.params
                return entry
            _settle(entry, root, "", scratch / ".inner" / name, budget, inner=True)
        elif (other := _suffix(path.name, UNSUPPORTED)) is not None:
            entry.problem, entry.params = "archive-unsupported", {"archive": path.name, "format": other[0]}
        else:
            entry.problem, entry.params = "not-a-submission", {"file": path.name}
    except OSError as exc:  # a folder we may not read, a disk full: this entry's row says so
        entry.project, entry.problem = None, "unreadable"
        entry.params = {"error": f"{type(exc).__name__}: {exc}"}
    return entry


# --- finding the project --------------------------------------------------------------------
def _settle(entry: Entry, root: Path, prefix: str, inner_root: Path, budget, inner: bool) -> None:
    """Fill entry.project, or its problem, from what `root` holds.

    The project is the folder of the one manage.py outside venvs, .git, node_modules and the
    like, however deep (an export's `student/project-main/...` wrappers need no rule of their
    own). With none, one archive inside (a Moodle folder holding the student's zip, a zip
    zipped again) is unpacked, once, under the same budget.
    """
    managers, archives, unsupported, files = _search(root)
    shown = [prefix + p.relative_to(root).as_posix() for p in managers]
    if len(managers) == 1:
        entry.project = managers[0].parent
        where = managers[0].parent.relative_to(root).as_posix()
        if where != ".":
            entry.notes.append(Note("note-project-in-subfolder", path=prefix + where))
        return
    if managers:
        entry.problem, entry.params = "several-manage-py", {"paths": _listed(shown), "count": len(shown)}
        return
    if inner and len(archives) == 1:
        archive = archives[0]
        rel = prefix + archive.relative_to(root).as_posix()
        try:
            _unpack(archive, archive_kind(archive.name)[0], inner_root, budget, entry.notes, rel)
        except _Refused as refused:
            entry.problem, entry.params = refused.key, refused.params
            return
        entry.notes.append(Note("note-inner-archive", archive=rel))
        _settle(entry, inner_root, rel + "/", inner_root, budget, inner=False)
        return
    if inner and archives:
        names = [prefix + a.relative_to(root).as_posix() for a in archives]
        entry.problem, entry.params = "several-archives", {"archives": _listed(names), "count": len(names)}
    elif inner and unsupported:
        kind = _suffix(unsupported[0].name, UNSUPPORTED)[0]
        entry.problem = "archive-unsupported"
        entry.params = {"archive": prefix + unsupported[0].relative_to(root).as_posix(), "format": kind}
    elif files == 0:
        entry.problem, entry.params = "empty", {}
    else:
        entry.problem, entry.params = "no-manage-py", {"count": files}


def _search(root: Path) -> tuple[list[Path], list[Path], list[Path], int]:
    """manage.py files; archives we read and archives we cannot, at the top or one folder
    down; how many files in all."""
    managers, archives, unsupported, files = [], [], [], 0
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if not _not_searched(here / d))
        depth = len(here.relative_to(root).parts)
        for name in sorted(filenames):
            if name.startswith(".") or name.lower() in OS_JUNK:
                continue
            files += 1
            if name == "manage.py":
                managers.append(here / name)
            elif depth > 1 or not _regular(here / name):
                continue
            elif archive_kind(name):
                archives.append(here / name)
            elif _suffix(name, UNSUPPORTED):
                unsupported.append(here / name)
    return managers, archives, unsupported, files


def _regular(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _not_searched(path: Path) -> bool:
    name = path.name
    return (name.startswith(".") or name in NOT_SEARCHED or path.is_symlink()
            or (path / "pyvenv.cfg").is_file())


def _listed(items: list[str]) -> str:
    return ", ".join(items[:SHOWN]) + (", …" if len(items) > SHOWN else "")


# --- unpacking ------------------------------------------------------------------------------
class _Budget:
    """What one entry has used: shared by its archive and an archive inside it."""

    def __init__(self, limits: Limits, leave_out_big: bool = True):
        self.limits, self.written, self.members = limits, 0, 0
        self.leave_out_big = leave_out_big  # a member past member_bytes: left out, or refused

    def too_big(self, label: str, limit: int) -> _Refused:
        return _Refused("archive-too-big", archive=label, limit=limit, limit_mb=limit // MiB)


class _Unpacking:
    """One archive being written into `root`, and what it left out."""

    def __init__(self, root: Path, budget: _Budget, label: str):
        self.root, self.real_root, self.budget, self.label = root, os.path.realpath(root), budget, label
        self.macos = 0
        self.left_out: dict[str, int] = {}
        self.links: list[str] = []
        self.specials: list[str] = []
        self.big: list[str] = []

    def notes(self) -> list[Note]:
        notes = []
        if self.macos:
            notes.append(Note("note-macos-metadata", count=self.macos))
        if self.left_out:
            notes.append(Note("note-left-out-folders", count=sum(self.left_out.values()),
                              folders=_listed(sorted(self.left_out))))
        if self.links:
            notes.append(Note("note-links", count=len(self.links), paths=_listed(self.links)))
        if self.specials:
            notes.append(Note("note-special-files", count=len(self.specials), paths=_listed(self.specials)))
        if self.big:
            notes.append(Note("note-big-files", count=len(self.big), paths=_listed(self.big),
                              limit_mb=self.budget.limits.member_bytes // MiB))
        return notes

    def place(self, raw: str, kind: str, size: int, opener, executable: bool = False, vet=None) -> None:
        """One member: kind is "file", "dir", "link" or "special"; opener() gives its bytes;
        vet(), if given, raises on what tarfile's data filter refuses."""
        limits = self.budget.limits
        self.budget.members += 1
        if self.budget.members > limits.members:
            raise _Refused("archive-too-many-members", archive=self.label, limit=limits.members)
        parts = _safe_parts(raw, self.label)
        if not parts:
            return  # "./": the archive's root
        if "__MACOSX" in parts or (kind != "dir" and (parts[-1].startswith("._") or parts[-1] == ".DS_Store")):
            self.macos += 1
            return
        folders = parts if kind == "dir" else parts[:-1]
        left = next((i for i, part in enumerate(folders) if part in LEFT_OUT), None)
        if left is not None:
            where = "/".join(parts[: left + 1])
            self.left_out[where] = self.left_out.get(where, 0) + (kind != "dir")
            return
        shown = "/".join(parts)
        if kind == "link":
            self.links.append(shown)
            return
        if kind == "special":
            self.specials.append(shown)
            return
        if vet is not None:
            vet()
        target = self.root.joinpath(*parts)
        if kind == "dir":
            target.mkdir(parents=True, exist_ok=True)
            self._inside(target, raw)
            return
        if size > limits.member_bytes or not self._copy(opener, target, 0o755 if executable else 0o644, raw):
            if not self.budget.leave_out_big:
                raise self.budget.too_big(self.label, limits.member_bytes)
            self.big.append(shown)  # past its cap, by its header (then not even read) or counted

    def _inside(self, folder: Path, raw: str) -> None:
        """Belt and braces: nothing we made can be a link, but a folder must still be ours."""
        real = os.path.realpath(folder)
        if real != self.real_root and not real.startswith(self.real_root + os.sep):
            raise _Refused("archive-unsafe", archive=self.label, member=raw, reason="outside")

    def _copy(self, opener, target: Path, mode: int, raw: str) -> bool:
        """The member's bytes, counted as they come; False (and no file) past member_bytes."""
        limits, budget = self.budget.limits, self.budget
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._inside(target.parent, raw)
        written = 0
        with opener() as source, os.fdopen(os.open(target, flags, mode), "wb") as out:
            while chunk := source.read(CHUNK):
                written += len(chunk)
                budget.written += len(chunk)
                if budget.written > limits.total_bytes:
                    raise budget.too_big(self.label, limits.total_bytes)
                if written > limits.member_bytes:
                    break
                out.write(chunk)
        if written > limits.member_bytes:
            target.unlink()
            return False
        return True


DRIVE = re.compile(r"^[A-Za-z]:")


def _safe_parts(raw: str, label: str = "") -> list[str]:
    """A member's path as its components, or _Refused("archive-unsafe") for one that would
    land outside the folder: absolute, with "..", a Windows drive, a NUL. A backslash is a
    separator (old Windows zip tools write them), so "..\\x" is refused like "../x"."""
    name = raw.replace("\\", "/")
    reason = ("absolute" if name.startswith("/") else "drive" if DRIVE.match(name)
              else "nul" if "\x00" in name else "")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if not reason and ".." in parts:
        reason = "parent"
    if reason:
        raise _Refused("archive-unsafe", archive=label, member=raw, reason=reason)
    return parts


def _unpack(archive: Path, kind: str, root: Path, budget: _Budget, notes: list, label: str) -> None:
    """Unpack `archive` into `root` (replaced) or raise _Refused, leaving no `root` behind.

    It is written into a fresh folder beside `root`, renamed to it when complete; on any
    refusal or error that folder is removed whole.
    """
    root.parent.mkdir(parents=True, exist_ok=True)
    if root.exists() or root.is_symlink():
        _remove(root)
    partial = Path(tempfile.mkdtemp(prefix=f".{root.name}.partial-", dir=root.parent))
    unpacking = _Unpacking(partial, budget, label)
    try:
        if kind == "zip":
            _unzip(archive, unpacking)
        else:
            _untar(archive, unpacking)
    except _Refused:
        _remove(partial)
        raise
    except RuntimeError as exc:
        _remove(partial)
        if "encrypted" in str(exc) or "password" in str(exc):
            raise _Refused("archive-encrypted", archive=label) from None
        raise _Refused("archive-bad", archive=label, error=_error(exc)) from None
    except Exception as exc:  # a damaged archive raises anything: zlib, EOF, struct, OSError...
        _remove(partial)
        raise _Refused("archive-bad", archive=label, error=_error(exc)) from None
    partial.rename(root)
    notes.extend(unpacking.notes())


def _error(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 300 else text[:299] + "…"


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _zip_name(info: zipfile.ZipInfo) -> str:
    """The member's name as its author wrote it: UTF-8 when flagged; otherwise zipfile read
    it as cp437, while most tools write UTF-8 unflagged and Russian Windows writes cp866."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp866")


def _declared_members(path: Path) -> int | None:
    """The member count the zip's end record declares, read before zipfile loads the whole
    central directory (millions of tiny members would fill the memory first)."""
    try:
        with open(path, "rb") as handle:
            end = zipfile._EndRecData(handle)  # noqa: SLF001 (stable since Python 2)
        return int(end[zipfile._ECD_ENTRIES_TOTAL]) if end else None  # noqa: SLF001
    except Exception:  # no such private helper, or no end record: zipfile will say
        return None


def _unzip(archive: Path, unpacking: _Unpacking) -> None:
    limits = unpacking.budget.limits
    declared = _declared_members(archive)
    if declared is not None and unpacking.budget.members + declared > limits.members:
        raise _Refused("archive-too-many-members", archive=unpacking.label, limit=limits.members)
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            name = _zip_name(info)
            mode = info.external_attr >> 16
            if name.endswith(("/", "\\")) or stat.S_ISDIR(mode):
                kind = "dir"
            elif stat.S_ISLNK(mode):
                kind = "link"
            elif stat.S_IFMT(mode) and not stat.S_ISREG(mode):
                kind = "special"
            else:
                kind = "file"

            def opener(info=info):
                if info.flag_bits & 0x1:
                    raise _Refused("archive-encrypted", archive=unpacking.label)
                return zf.open(info)

            unpacking.place(name, kind, info.file_size, opener, executable=bool(mode & 0o100))


class _Capped:
    """A decompressed tar stream that refuses to be read past `cap`, nor in one read more
    than `single` bytes (tarfile reads a pax or long-name header whole, its size its own)."""

    def __init__(self, stream, cap: int, single: int, label: str):
        self.stream, self.cap, self.single, self.label = stream, cap, single, label

    def _too_big(self) -> _Refused:
        return _Refused("archive-too-big", archive=self.label, limit=self.cap, limit_mb=self.cap // MiB)

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0 or size > self.single:
            raise self._too_big()
        data = self.stream.read(size)
        if self.stream.tell() > self.cap:
            raise self._too_big()
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 0 and offset > self.cap:
            raise self._too_big()
        position = self.stream.seek(offset, whence)
        if position > self.cap:
            raise self._too_big()
        return position

    def tell(self) -> int:
        return self.stream.tell()

    def close(self) -> None:
        self.stream.close()


def _tar_stream(raw):
    magic = raw.read(6)
    raw.seek(0)
    if magic[:2] == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw, mode="rb")
    if magic[:3] == b"BZh":
        return bz2.BZ2File(raw, "rb")
    if magic == b"\xfd7zXZ\x00":
        return lzma.LZMAFile(raw, "rb")
    return raw


def _untar(archive: Path, unpacking: _Unpacking) -> None:
    limits = unpacking.budget.limits
    data_filter = getattr(tarfile, "data_filter", None)  # 3.12+, 3.11.4+, 3.10.12+
    with open(archive, "rb") as raw:
        stream = _Capped(_tar_stream(raw), limits.read_bytes, limits.member_bytes + MiB, unpacking.label)
        with tarfile.open(fileobj=stream, mode="r:", encoding="utf-8", errors="replace") as tar:
            for member in tar:
                if member.isreg():
                    kind = "file"
                elif member.isdir():
                    kind = "dir"
                elif member.issym() or member.islnk():
                    kind = "link"
                else:
                    kind = "special"

                def vet(member=member):
                    if data_filter is None:
                        return
                    try:
                        data_filter(member, str(unpacking.root))
                    except tarfile.FilterError as exc:
                        raise _Refused("archive-unsafe", archive=unpacking.label, member=member.name,
                                       reason=f"filter: {exc}") from None

                unpacking.place(member.name, kind, member.size, lambda member=member: tar.extractfile(member),
                                executable=bool(member.mode & 0o100), vet=vet)


# --- a class's export -----------------------------------------------------------------------
def expand_export(path: Path, scratch: Path, limits: Limits = EXPORT_LIMITS) -> Path:
    """Unpack an LMS "download all" archive (per-student zips or folders inside) into
    `scratch/.export/` and return the folder to give entries(): the archive's top level,
    through the single folder some exports wrap it in (Gradescope's assignment_..._export/).

    Raises ExportError (a key and params as for Entry.problem) for an archive that cannot be
    unpacked, and "export-is-a-project" for one that holds a manage.py at its top: one
    student's project, to be graded as the only entry of a folder instead.
    """
    path, scratch = Path(path), Path(scratch)
    kind = archive_kind(path.name)
    if kind is None:
        raise ExportError("not-a-submission", file=path.name)
    root = scratch / ".export"
    notes: list[Note] = []
    try:  # a student's archive too big to keep would vanish from the class: refused instead
        _unpack(path, kind[0], root, _Budget(limits, leave_out_big=False), notes, path.name)
    except _Refused as refused:
        raise ExportError(refused.key, **refused.params) from None
    top = root
    while True:
        if (top / "manage.py").is_file():
            raise ExportError("export-is-a-project", archive=path.name)
        inside = [p for p in top.iterdir() if not _ignored_at_top(p)]
        if not inside:
            raise ExportError("empty", archive=path.name)
        if len(inside) == 1 and inside[0].is_dir() and _holds_submissions(inside[0]):
            top = inside[0]
            continue
        return top


def _holds_submissions(folder: Path) -> bool:
    """A wrapper rather than the one student's folder: two or more folders or archives (a
    loose file beside them is one student's wrong upload, and gets its row), no manage.py at
    its top. (A class of one inside a wrapper is graded as one entry.)"""
    inside = [p for p in folder.iterdir() if not _ignored_at_top(p)]
    return (not (folder / "manage.py").is_file()
            and sum(bool(p.is_dir() or archive_kind(p.name)) for p in inside) >= 2)

