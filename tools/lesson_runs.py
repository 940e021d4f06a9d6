"""The outputs of the lessons' own commands (curl, runserver, Daphne, manage.py, the scripts a lesson
has the student save), run as the student runs them: tools/lesson_outputs.py's `run` markers.

    <!-- output: run; project: steps/04-echo; script: echo_check.py -->

The commands are the lesson's nearest ```bash block above the marker (`cmd: ...` instead, where the
lesson names the command in prose). Fields of a `run` marker, besides those of every marker:

    script: NAME     the nearest ```python block above the marker, saved as ~/my-chat/NAME;
                     `script: 04-echo.md#NAME`: the script NAME of that lesson's marker
    server: CMD      started first in ~/my-chat and waited for (its port: `-p N`, `--port N`,
                     `runserver N`, else 8000); stopped after the commands; may repeat (a Redis and a
                     Daphne, two Daphnes). When the lesson's block is a server itself (`python
                     manage.py runserver`), it is not run again
    browser: TAB     a tab of headless Chromium, opened (in order, may repeat) once the servers
                     listen and kept open while the commands run: its path and what is done in it,
                     `/chat/lobby/ type hello` or `/chat/lobby/ close` (tools/lesson_browser.py)
    show: server     the quoted output is the server's log, not the commands'
    show: console    ... the browser's console, as DevTools prints it
    show: text       ... the text of the browser's tabs, as each loaded (a page without its styles)
    setup: CMD       run before everything, its output not shown (say, `python manage.py migrate`)
    cmd: CMD         the commands, where the lesson has no ```bash block for them; `cmd: -`: none
                     (the browser's tabs are all that happens)
    repl             the command is interactive (`python manage.py shell`): the quoted session's
                     `>>> ` lines are typed at its prompts in a terminal (tools/lesson_repl.py)
    excerpt          the quoted output is cut: its lines stand in the run's output in this order,
                     a line `...` standing for any lines, a line ending in `:` (a prompt) for
                     itself and what follows it on the line; nothing is written back

Every run has a loopback of its own (bubblewrap's network namespace) with a private Redis on 6379,
so that the lesson's ports (8000, 8001, ...) are the real ones, runs in parallel do not meet, and
what runs is stopped with the namespace. PYTHONUNBUFFERED keeps a server's log in order.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from checker import ROOT

if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))
from lesson_format import FENCE, PATH_LINE  # noqa: E402  (a lesson read as the lesson tests read it)

RUN_FIELDS = ("script", "server", "browser", "show", "setup", "cmd")
# `show:` -> the log the quoted output is; without it, the commands' own output.
SHOWN = {"server": "~/server.log", "console": "~/browser.log", "text": "~/browser.text"}
# A helper of this workbook run inside the namespace by the workbook's python (selenium, pty).
TOOL = "~/channels-workbook/.venv/bin/python ~/channels-workbook/tools/{}"
DEADLINE = 60  # seconds for a server to listen: Django starts in about 1 s, 10 at load average ~10
SETTLE = 1.0  # seconds a server gets to write the log lines of the last request


def blocks_above(text: str, start: int, lang: str) -> list[str]:
    """The bodies of the ```LANG blocks that end before `start`, nearest first."""
    return [m[2] for m in FENCE.finditer(text, 0, start) if m[1] == lang and m.end() <= start][::-1]


def commands_of(marked) -> str:
    if marked.run.get("cmd"):
        return "" if marked.run["cmd"] == "-" else marked.run["cmd"]
    text = marked.lesson.read_text(encoding="utf-8")
    found = blocks_above(text, marked.start, "bash")
    if not found:
        raise ValueError(f"{marked.where()}: a `run` marker with no ```bash block above it and no `cmd:`")
    return found[0].rstrip("\n")


def script_name(marked) -> str:
    return marked.run["script"].rpartition("#")[2]


def script_of(marked) -> str:
    """The nearest ```python block above the marker that is not a listing of a step's file; with
    `script: 04-echo.md#NAME`, the script NAME that lesson (of the same edition) has saved."""
    lesson, _, name = marked.run.get("script", "").rpartition("#")
    if lesson:
        from tools.lesson_outputs import markers

        other = marked.lesson.parent / lesson
        found = [m for m in markers([other]) if m.run.get("script") == name] if other.exists() else []
        if not found:
            raise ValueError(f"{marked.where()}: {other.name} has no `script: {name}` marker")
        return script_of(found[0])
    text = marked.lesson.read_text(encoding="utf-8")
    for body in blocks_above(text, marked.start, "python"):
        if not PATH_LINE.match(body.split("\n", 1)[0]):
            return body
    raise ValueError(f"{marked.where()}: `script:` with no script (```python block) above the marker")


def port_of(command: str) -> int:
    found = re.search(r"(?:-p |--port |runserver (?:[\d.]+:)?)(\d+)\b", command)
    return int(found[1]) if found else 8000


def shell_script(marked) -> str:
    """What runs inside the namespace, in ~/my-chat with the student's venv active."""
    run = marked.run
    commands = commands_of(marked)
    lines = [
        "set -m",  # each background job its own process group, so that it can be stopped whole
        "cd ~/my-chat && . .venv/bin/activate",
        'redis-server --port 6379 --save "" --appendonly no --daemonize yes --logfile /dev/null >/dev/null',
        f"for i in $(seq {DEADLINE * 10}); do redis-cli -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done",
    ]
    if run.get("setup"):
        lines.append(f"( {run['setup']} ) >/dev/null 2>&1")
    servers = run.get("server", [])
    # A server that fails to start shows why in its log: that is the output, or the run's error.
    stopped = ("cat ~/server.log; exit 0" if run.get("show") == "server"
               else 'echo "the server stopped:"; cat ~/server.log; exit 1')
    for n, server in enumerate(servers):
        port = port_of(server)
        lines += [
            f"( {server} ) >> ~/server.log 2>&1 &",
            f"server{n}=$!",
            f"for i in $(seq {DEADLINE * 10}); do (: </dev/tcp/127.0.0.1/{port}) 2>/dev/null && break;"
            f' kill -0 "$server{n}" 2>/dev/null || break; sleep 0.1; done',
            f'kill -0 "$server{n}" 2>/dev/null || {{ {stopped}; }}',
            # Alive but deaf (runserver's reloader waits for a fix after an import error).
            f"(: </dev/tcp/127.0.0.1/{port}) 2>/dev/null || "
            f'{{ echo "the server did not listen on {port} in {DEADLINE} s:"; cat ~/server.log; exit 1; }}',
        ]
    tabs = run.get("browser", [])
    if tabs:
        browser = " ".join([
            TOOL.format("lesson_browser.py"),
            f"http://127.0.0.1:{port_of(servers[0]) if servers else 8000}", *map(shlex.quote, tabs)])
        lines += [
            f"( {browser} ) > ~/browser.log 2>&1 &",
            "browser=$!",
            f"for i in $(seq {DEADLINE * 10}); do [ -e ~/browser.ready ] && break;"
            ' kill -0 "$browser" 2>/dev/null || break; sleep 0.1; done',
            '[ -e ~/browser.ready ] || { echo "the browser stopped:"; cat ~/browser.log; exit 1; }',
        ]
    if run.get("repl"):
        commands = f"{TOOL.format('lesson_repl.py')} {shlex.quote(commands)} < ~/session.txt"
    if commands.strip() and commands.strip() not in (s.strip() for s in servers):
        out = "/dev/null" if run.get("show") in SHOWN else "~/commands.log"
        lines.append(f"( {commands}\n) > {out} 2>&1 < /dev/null")
    if tabs:
        lines += ["touch ~/browser.done", 'wait "$browser"']
    if servers:
        lines.append(f"sleep {SETTLE}")
        lines += [f'kill -TERM -- "-$server{n}" 2>/dev/null' for n in range(len(servers))]
        lines.append("wait")
    lines.append(f"cat {SHOWN.get(run.get('show'), '~/commands.log')}")
    return "\n".join(lines) + "\n"


def namespace(home: Path) -> list[str]:
    """bwrap with the machine's files, a loopback of its own and a pid namespace that takes down
    everything the run started when it ends."""
    if shutil.which("bwrap") is None:
        raise RuntimeError("run markers need bubblewrap: apt-get install bubblewrap")
    return ["bwrap", "--bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/dev/shm",
            "--unshare-net", "--unshare-pid", "--die-with-parent", "--chdir", str(home)]


def run_commands(marked, home: Path, env: dict) -> str:
    if marked.run.get("script"):
        (home / "my-chat" / script_name(marked)).write_text(script_of(marked), encoding="utf-8")
    if marked.run.get("repl"):  # what the student types: the quoted session's input lines
        (home / "session.txt").write_text(marked.body, encoding="utf-8")
    env = {**env, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run([*namespace(home), "bash", "-c", shell_script(marked)], env=env,
                          capture_output=True, text=True, timeout=300)
    text = done.stdout + (done.stderr if done.returncode else "")
    # curl's "> " and "< " lines end in a space; a lesson's lines do not.
    return "\n".join(line.rstrip() for line in text.split("\n"))


def excerpt_pattern(body: str) -> re.Pattern:
    """A cut output as a pattern: its lines in order, `...` for any lines between."""
    parts = []
    for line in body.rstrip("\n").split("\n"):
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        elif line.endswith(":"):  # a prompt: what comes after it on the line is not part of it
            parts.append(re.escape(line) + r"[^\n]*\n")
        else:
            parts.append(re.escape(line) + r"\n")
    return re.compile("".join(parts))


def shown_in(body: str, output: str) -> bool:
    return excerpt_pattern(body).search(output.rstrip("\n") + "\n") is not None

