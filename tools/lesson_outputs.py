"""`make outputs`: every output quoted in the lessons (checker and own commands), from real runs.

    python -m tools.lesson_outputs              regenerate every marked block in lessons/
    python -m tools.lesson_outputs --check      exit 1 when a block is not what a run prints now
    python -m tools.lesson_outputs --list       the markers, without running anything

A quoted output is marked in the lesson by a comment on the line before its fence:

    <!-- output: check 8 --only bad-frames; mistake: no-validation -->
    ```text
    ...
    ```

The marker is the checker's arguments (`check 8 --only bad-frames`), then optional fields, each
after "; " (so no field holds "; " itself):

    mistake: NAME          the broken project tests/mistakes/NAME.toml makes from its step, run
                           as that mistake is (its env, unset, pip, venv and args); without it,
                           the reference step itself
    project: steps/NN-slug another step's reference project as the student's (step 03's checks
                           on the step 04 project); not with `mistake`
    edit: FILE OLD NEW     one more edit of the project, shell-quoted: OLD must occur in FILE
                           exactly once and becomes NEW ("" deletes it; \\n in either is a
                           line break); may repeat. For a mistake the lesson shows and the
                           corpus does not hold
    delete: FILE           remove the project's FILE (say, chat/tests.py: no tests at all)
    env: NAME=VALUE        an environment variable of the run (say, REDIS_URL at a closed port:
                           Redis not running); may repeat
    venv: SPEC ...         the student's venv holds just these packages (pip specs, as a
                           mistake's `venv`: tools/venvs.py builds it once), not the workbook's
    mask: numbers          every number is compared as "#" (and runs of spaces as one): a
                           benchmark's or a random test's figures, where what is printed and in
                           what order holds, and the figures are the machine's of that run
    drop: TEXT             lines holding TEXT are left out of the comparison (both sides): a
                           clock's ticks between the events of a timeline, whose number is the
                           machine's timing; may repeat

The run is the student's: the project at ~/my-chat with a venv of its own beside it, the
workbook at ~/channels-workbook, under a scratch HOME, so that no path of this machine reaches a
lesson (the checker's temp folders are shown as …/checker-tests-…). Timings, random room tags,
the ports of the servers and the frames ending a failed test suite's traceback differ from run
to run: --check compares with those masked (VARYING).

A marker `tree; project: steps/NN-slug` holds a drawn tree of the project's files (what the
lesson says of a file, after two spaces, aside) to that step's files; it is never written back.

A marker `record bench/results/NAME.json` holds what the benchmark printed at the end of a run
too long to repeat for a test (`--step09 --reps 5`: 90 loads) to that run's committed record,
printed again by the benchmark's own code; `make bench` and its variants write the records.

A marker `run; project: steps/NN-slug; ...` quotes a lesson's own command instead of the checker
(curl, runserver, Daphne's log, manage.py, a script the lesson has the student save): its fields
and how it runs are in tools/lesson_runs.py.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import venv as venv_module
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from checker import ROOT
from tools.lesson_runs import RUN_FIELDS, commands_of, run_commands, script_of, shown_in

LESSONS = ROOT / "lessons"
MARKER = re.compile(r"^<!-- output: (?P<spec>.+?) -->\n```text\n(?P<body>.*?)^```", re.M | re.S)
FIELDS = ("mistake", "project", "edit", "delete", "env", "venv", "mask", "drop", *RUN_FIELDS)
# What differs between two runs of the same project, masked when comparing.
VARYING = [
    (re.compile(r"\b\d+\.\d\d s$", re.M), "#.## s"),
    (re.compile(r"(room|lobby|probe|test-)[0-9a-f]{8,}\b"), r"\1<tag>"),  # chat_room…, /chat/lobby…/
    (re.compile(r"/tmp/checker-[\w-]+"), "/tmp/checker-<tmp>"),
    (re.compile(r"\bload average [\d., ]+"), "load average <load>"),
    (re.compile(r":[1-6]\d{4}\b"), ":<port>"),  # the ports the OS gave the servers
    # How much of a burst a too-small layer dropped depends on timing; that it dropped does not.
    (re.compile(r"(получил только|got only) \d+"), r"\1 <n>"),
    # The project's own tests: how long they ran, and which frames end the traceback the tail of
    # their output shows (the failing tests race each other); the exception and the counts stay.
    (re.compile(r"\bRan (\d+) tests? in [\d.]+s\b"), r"Ran \1 tests in #s"),
    (re.compile(r"^(\s+(?:конец вывода|end of output):\n)(?:        .*\n)+", re.M), r"\1        <traceback>\n"),
    # How long bob waited for alice (no-blocking) is the machine's timing; the verdict is not.
    (re.compile(r"(задержался на|held back) \d+(?:\.\d+)? (мс|ms|с|s)\b"), r"\1 <t> \2"),
    # The lessons' own commands (`run` markers): clocks, patch releases, addresses in memory.
    (re.compile(r"^(< Date|Date): .+ GMT$", re.M), r"\1: <date>"),
    (re.compile(r"^\w+ \d\d?, \d{4} - \d\d:\d\d:\d\d$", re.M), "<date>"),
    (re.compile(r"\b(Django|Daphne) version (\d+\.\d+)\.\d+"), r"\1 version \2.x"),
    (re.compile(r" at 0x[0-9a-f]+>"), " at 0x…>"),
    (re.compile(r'File "[^"\n]*/site-packages/'), 'File ".../site-packages/'),  # where a venv keeps them
    (re.compile(r"\[\d+\.\d\d, "), "[#.##, "),  # how long Daphne took over a request
    (re.compile(r"^86(?:39\d|400)$", re.M), "86400"),  # a group's TTL, read a second or two after it was set
    (re.compile(r"^( *\d+)\.\d\d s\b", re.M), r"\1.## s"),  # a script's clock: whole seconds hold
    # steady.py (lesson 08): how long it ran, and how many of a too-fast client's messages got
    # through before the limit closed it, are the machine's timing; what was refused is not.
    (re.compile(r"(/s for )\d+( s: )\d+( accepted, [1-9]\d* refused)"), r"\1<t>\2<n>\3"),
    (re.compile(r"(/s for )\d+( s: )"), r"\1<t>\2"),
    # buckets.py (appendix): a socket's burst and what the bucket refilled while the burst was
    # being sent; that one socket is limited and several are not holds.
    (re.compile(r"(the room got )\d+(, rate-limited )[1-9]\d*"), r"\1<n>\2<n>"),
    # What the checker adds to a timing verdict taken on a busy machine (hint-busy-machine).
    (re.compile(r" (?:Машина была занята|The machine was busy) \(.*?(?:закончится|is done)\."), ""),
    # pytest's clock past a minute: "in 61.96s (0:01:01)".
    (re.compile(r"( passed in [\d.]+s) \(\d+:\d\d:\d\d\)"), r"\1"),
    # The browser's tabs (browser: fields): when it asks for the favicon, which channel names the
    # layer gave the tabs' consumers, and when they joined their group.
    (re.compile(r"^.*/favicon\.ico\b.*\n?", re.M), ""),
    (re.compile(r"\bspecific\.[0-9a-f]{32}![0-9a-f]{32}\b"), "specific.<server>!<channel>"),
    (re.compile(r"\bguest-[0-9a-f]{6}\b"), "guest-<id>"),  # a guest's name: a hash of a new session
    (re.compile(r"^1\d{9}\.\d+$", re.M), "<unix time>"),
]


@dataclass
class Marked:
    lesson: Path
    args: list[str]
    mistake: str | None
    body: str
    start: int  # where the body starts in the lesson's text
    end: int
    project: str | None = None  # "steps/NN-slug": that step's reference as the student's project
    edits: list[dict] = field(default_factory=list)  # as a mistake's: file, old, new (or delete)
    env: dict[str, str] = field(default_factory=dict)
    venv: list[str] = field(default_factory=list)  # pip specs: the student's venv holds just these
    spec: str = ""
    run: dict = field(default_factory=dict)  # a lesson's own commands (tools/lesson_runs.py)
    numbers_masked: bool = False  # `mask: numbers`
    dropped: list[str] = field(default_factory=list)  # `drop: TEXT`: lines not compared
    excerpt: bool = False  # the quoted output is cut: compared, never written back

    @property
    def lang(self) -> str:
        return self.lesson.parent.name

    @property
    def is_run(self) -> bool:
        return self.args[:1] == ["run"]

    @property
    def is_record(self) -> bool:
        return self.args[:1] == ["record"]

    @property
    def is_tree(self) -> bool:
        return self.args[:1] == ["tree"]

    @property
    def step(self) -> int:
        if self.is_run or self.is_tree:
            return project_step(self.project) if self.project else 0
        return int(self.args[1]) if self.args[:1] == ["check"] and self.args[1:2] and self.args[1].isdigit() else 0

    def where(self) -> str:
        line = self.lesson.read_text(encoding="utf-8").count("\n", 0, self.start)
        return f"{self.lesson.relative_to(ROOT)}:{line}"


def parse(lesson: Path, spec: str, body: str, start: int, end: int) -> Marked:
    args, *fields = spec.split("; ")
    marked = Marked(lesson, shlex.split(args), None, body, start, end, spec=spec)
    for item in fields:
        if item == "excerpt":
            marked.excerpt = True
            continue
        if item == "repl":  # a flag of a `run` marker (tools/lesson_runs.py)
            marked.run["repl"] = True
            continue
        name, sep, value = item.partition(": ")
        if name not in FIELDS or not sep or not value.strip():
            raise ValueError(f"{lesson.relative_to(ROOT)}: `{item}` in a marker: fields are {', '.join(FIELDS)}")
        if name == "mistake":
            marked.mistake = value.strip()
        elif name == "project":
            marked.project = value.strip().rstrip("/")
        elif name == "edit":
            parts = shlex.split(value)
            if len(parts) != 3:
                raise ValueError(f"{lesson.relative_to(ROOT)}: `edit: FILE OLD NEW`, got {parts}")
            parts[1:] = [part.replace("\\n", "\n") for part in parts[1:]]
            marked.edits.append(dict(zip(("file", "old", "new"), parts, strict=True)))
        elif name == "delete":
            marked.edits.append({"file": value.strip(), "delete": True})
        elif name == "mask":
            if value.strip() != "numbers":
                raise ValueError(f"{lesson.relative_to(ROOT)}: `mask: numbers` is the one mask, got `{value}`")
            marked.numbers_masked = True
        elif name == "drop":
            marked.dropped.append(value.strip())
        elif name == "venv":
            marked.venv = shlex.split(value)
        elif name in ("server", "browser"):  # may repeat: two Daphnes, two tabs
            marked.run.setdefault(name, []).append(value.strip())
        elif name in RUN_FIELDS:
            marked.run[name] = value.strip()
        else:
            key, sep, val = value.partition("=")
            if not sep:
                raise ValueError(f"{lesson.relative_to(ROOT)}: `env: NAME=VALUE`, got `{value}`")
            marked.env[key.strip()] = val
    if marked.mistake and marked.project:
        raise ValueError(f"{lesson.relative_to(ROOT)}: a marker names a mistake or a project, not both")
    if (marked.run and not marked.is_run) or (marked.is_run and not marked.project):
        raise ValueError(f"{lesson.relative_to(ROOT)}: `run; project: steps/NN-slug` and its fields go together")
    if marked.is_tree and not marked.project:
        raise ValueError(f"{lesson.relative_to(ROOT)}: `tree; project: steps/NN-slug`")
    return marked


def markers(paths=None) -> list[Marked]:
    found = []
    for lesson in paths or sorted(LESSONS.glob("*/*.md")):
        text = lesson.read_text(encoding="utf-8")
        for m in MARKER.finditer(text):
            found.append(parse(lesson, m["spec"], m["body"], m.start("body"), m.end("body")))
    return found


def project_step(project: str) -> int | None:
    """The step whose reference project is `project` ("steps/04-echo"), or None."""
    from checker.course import load_course

    return next((n for n, s in load_course().steps.items() if s.path == ROOT / project), None)


def masked(text: str) -> str:
    for pattern, replacement in VARYING:
        text = pattern.sub(replacement, text)
    return text.rstrip("\n")


class StudentHome:
    """A scratch HOME with ~/channels-workbook (a link to this workbook) and ~/my-chat."""

    def __init__(self):
        self.home = Path(tempfile.mkdtemp(prefix="lesson-home-"))
        self.shown: dict[str, str] = {}  # a path of this machine -> where the student has it
        (self.home / "channels-workbook").symlink_to(ROOT)

    def close(self):
        shutil.rmtree(self.home, ignore_errors=True)


def mistake_of(marked: Marked):
    """What to build, as a mistake of the corpus: the named one, or the reference (of the step
    checked or of `project`), with the marker's own edits after the mistake's."""
    if str(ROOT / "tests") not in sys.path:
        sys.path.insert(0, str(ROOT / "tests"))
    from mistakes_corpus import Mistake, load_corpus

    if marked.mistake:
        mistake = next(m for m in load_corpus() if m.name == marked.mistake)
    else:
        mistake = Mistake(name="reference", title="", step=marked.step, check="",
                          from_step=project_step(marked.project) if marked.project else None)
    mistake.edits = [*mistake.edits, *marked.edits]
    mistake.venv = marked.venv or mistake.venv
    return mistake


def build_project(home: StudentHome, marked: Marked) -> Path:
    """~/my-chat: the step (and the edits), with a venv of its own that sees the workbook's
    packages (a student's venv with the same versions), or those of a mistake's `venv`."""
    mistake = mistake_of(marked)
    from mistakes_corpus import build

    built = build(mistake, home.home / "build")
    project = home.home / "my-chat"
    built.rename(project)
    env_dir = project / ".venv"
    venv_module.create(env_dir, with_pip=False)
    site = next(env_dir.glob("lib/python*/site-packages"))
    if mistake.venv:  # the student's venv holds just these packages
        from tools.venvs import venv

        packages_site = next(Path(venv("student", mistake.venv)).parent.parent.glob("lib/python*/site-packages"))
    else:
        packages_site = next((ROOT / ".venv").glob("lib/python*/site-packages"))
    (site / "workbook.pth").write_text(f"{packages_site}\n", encoding="utf-8")
    # The packages' commands (daphne, django-admin) in the student's venv, run by its python.
    for script in ("daphne", "django-admin"):
        source = packages_site.parents[2] / "bin" / script
        if source.exists():
            body = source.read_text(encoding="utf-8").split("\n", 1)[1]
            (env_dir / "bin" / script).write_text(f"#!{env_dir}/bin/python\n{body}", encoding="utf-8")
            (env_dir / "bin" / script).chmod(0o755)
    home.shown[str(packages_site)] = str(site)  # a student's packages are in their venv
    return project


def project_tree(project: Path) -> str:
    """A project's files as a lesson draws them: folders with "/", four spaces a level; the
    student's venv, caches and database left out."""
    lines = [f"{project.name}/"]

    def walk(folder: Path, depth: int):
        for path in sorted(folder.iterdir()):
            if path.name in (".venv", "__pycache__", "db.sqlite3") or path.name.startswith("."):
                continue
            lines.append("    " * depth + path.name + ("/" if path.is_dir() else ""))
            if path.is_dir():
                walk(path, depth + 1)

    walk(project, 1)
    return "\n".join(lines) + "\n"


def tree_paths(text: str) -> set[str]:
    """The paths a drawn tree names: each line's name under the folders above it, less what the
    lesson says of it (after two spaces or more)."""
    paths, folders = set(), []
    for line in text.rstrip("\n").split("\n"):
        depth = (len(line) - len(line.lstrip(" "))) // 4
        name = re.split(r" {2,}", line.strip(), maxsplit=1)[0]
        folders[depth:] = [name.rstrip("/")]
        if depth:  # the top folder is the student's (my-chat), not the step's name
            paths.add("/".join(folders[1:]) + ("/" if name.endswith("/") else ""))
    return paths


def recorded(path: Path) -> str:
    """What the benchmark printed at the end of the run recorded in `path` (its .json), printed
    again from the record by the benchmark's own code."""
    # Imported here: only a record needs the benchmark's modules.
    from bench import report, variants

    data = json.loads(path.read_text(encoding="utf-8"))
    lines = variants.console_table(data) if "reps" in data else [report.terminal(data)]  # --step09 or a fan-out
    return "\n".join(lines).rstrip("\n") + "\n"


def run(marked: Marked) -> str:
    if marked.is_tree:  # the step's files, no student's home needed
        return project_tree(ROOT / marked.project)
    if marked.is_record:  # a run too long to repeat for a test: its record, committed
        return recorded(ROOT / marked.args[1])
    home = StudentHome()  # one each: every run's project is ~/my-chat
    try:
        return run_in(marked, home)
    finally:
        home.close()


def run_in(marked: Marked, home: StudentHome) -> str:
    project = build_project(home, marked)
    from mistakes_corpus import environment

    mistake = mistake_of(marked)
    workbook = home.home / "channels-workbook"
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "FORCE_COLOR", "DJANGO_SETTINGS_MODULE")}
    temp = home.home / "tmp"  # the checker's temp folders, shown as …/checker-tests-…
    temp.mkdir()
    env.update(HOME=str(home.home), NO_COLOR="1", PYTHONDONTWRITEBYTECODE="1", TMPDIR=str(temp))
    env = environment(mistake, env)
    env.update(marked.env)
    if marked.is_run:
        return shown_as_student(run_commands(marked, home.home, env), home, project, temp)
    done = subprocess.run(
        [str(workbook / ".venv" / "bin" / "python"), "-m", "checker", *marked.args,
         "--project", str(project), "--lang", marked.lang, *mistake.args],
        cwd=workbook, env=env, capture_output=True, text=True, timeout=300,
    )
    return shown_as_student(done.stdout + done.stderr, home, project, temp)


def shown_as_student(text: str, home: StudentHome, project: Path, temp: Path) -> str:
    # As the student sees it: their project at ~/my-chat.
    # The system's temp folder and the random part of the name are the machine's, as the lessons
    # say where they quote it.
    text = re.sub(re.escape(str(temp)) + r"/(checker-[a-z]+-)\w+", r"…/\1…", text)
    for real, shown in home.shown.items():
        text = text.replace(real, shown)
    text = text.replace(str(project), "~/my-chat").replace(str(home.home), "~")
    # The standard library is wherever the student's Python is installed.
    text = text.replace(f"{sys.base_prefix}/lib/", ".../lib/")
    return text.rstrip("\n") + "\n"


def regenerate(found: list[Marked], jobs: int) -> dict[int, str]:
    """Each marker's output now. A lesson's own command prints the same in ru and en: it runs once."""
    def key(m: Marked):
        return (m.spec, run_key(m)) if m.is_run else (m.lang, m.spec)

    distinct = {}
    for m in found:
        distinct.setdefault(key(m), m)
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        printed = dict(zip(distinct, pool.map(run, distinct.values()), strict=True))
    return {i: printed[key(m)] for i, m in enumerate(found)}


def run_key(marked: Marked) -> tuple:
    return commands_of(marked), script_of(marked) if marked.run.get("script") else ""


def holds(marked: Marked, output: str) -> bool:
    """Whether the quoted output is what the run printed (cut ones: their lines, in order; a
    drawn tree: the same paths)."""
    if marked.is_tree:
        return tree_paths(marked.body) == tree_paths(output)
    if marked.excerpt:
        return shown_in(compared(marked, marked.body), compared(marked, output))
    return compared(marked, output) == compared(marked, marked.body)


def compared(marked: Marked, text: str) -> str:
    """An output as --check compares it: its `drop:` lines left out, what varies masked (every
    number, with `mask: numbers`)."""
    kept = "\n".join(line for line in text.split("\n") if not any(d in line for d in marked.dropped))
    return numbers_masked(kept) if marked.numbers_masked else masked(kept)


def numbers_masked(text: str) -> str:
    # A number is not part of a name: step05 and chat_room stay as they are.
    text = re.sub(r"(?<![A-Za-z_\d])\d(?:[\d,.]*\d)?", "#", masked(text))
    return re.sub(r"(?<=\S) {2,}", " ", text)


def write(found: list[Marked], outputs: dict[int, str]) -> int:
    changed = 0
    for lesson in {m.lesson for m in found}:
        text = lesson.read_text(encoding="utf-8")
        # From the end, so that earlier offsets stay right.
        for i, marked in sorted(((i, m) for i, m in enumerate(found) if m.lesson == lesson), key=lambda x: -x[1].start):
            if marked.excerpt or marked.is_tree:  # cut or annotated by hand: only compared
                if not holds(marked, outputs[i]):
                    changed += 1
                    print(f"{marked.where()}: the excerpt is not in what a run prints now; edit it by hand")
                continue
            if holds(marked, outputs[i]):  # the same but for timings, ports, tags: left as it is
                continue
            changed += 1
            text = text[: marked.start] + outputs[i] + text[marked.end:]
        lesson.write_text(text, encoding="utf-8")
    return changed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.lesson_outputs", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, write nothing")
    parser.add_argument("--list", action="store_true", help="print the markers")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--grep", metavar="TEXT", help="only the markers whose spec holds TEXT")
    parser.add_argument("lessons", nargs="*", type=Path, help="only these lesson files")
    args = parser.parse_args(argv)
    found = markers([p.resolve() for p in args.lessons] or None)
    if args.grep:
        found = [m for m in found if args.grep in m.spec]
    if args.list:
        for m in found:
            print(f"{m.where()}: {m.spec}")
        return 0
    outputs = regenerate(found, args.jobs)
    if args.check:
        stale = [m for i, m in enumerate(found) if not holds(m, outputs[i])]
        for m in stale:
            i = found.index(m)
            import difflib

            diff = difflib.unified_diff(compared(m, m.body).splitlines(), compared(m, outputs[i]).splitlines(),
                                        "lesson", "run now", lineterm="", n=1)
            print(f"{m.where()}: the quoted output is not what a run prints now\n" + "\n".join(diff))
        print(f"{len(found) - len(stale)} of {len(found)} quoted outputs are what a run prints now")
        return 1 if stale else 0
    changed = write(found, outputs)
    print(f"{len(found)} quoted outputs regenerated, {changed} changed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
