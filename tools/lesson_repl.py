"""A `run` marker's `repl:` field (tools/lesson_runs.py): an interactive session typed as the
lesson shows it, in a terminal of its own.

    python tools/lesson_repl.py "python manage.py shell" < session.txt

The input is the session the lesson quotes: its lines after `>>> ` (and `... `) are typed, each
when the program shows its prompt, as a student types them. What the terminal shows is printed,
prompts and echo included, until the program exits (Ctrl+D after the last line).
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time

PROMPTS = (b">>> ", b"... ")
DEADLINE = 60  # seconds for a prompt: Django's shell starts in about 1 s, 10 at load average ~10


def typed_lines(session: str) -> list[str]:
    # A bare `...` is an excerpt's cut (tools/lesson_runs.py), not a line typed.
    return [line[4:] for line in session.splitlines() if line.startswith((">>> ", "... ")) or line == ">>>"]


def read_until_prompt(fd: int, seen: bytearray) -> bool:
    """Read until the screen ends in a new prompt (True) or the program has gone (False)."""
    end = time.monotonic() + DEADLINE
    before = len(seen)  # the prompt the last line was typed at does not count
    while not (len(seen) > before and seen.endswith(PROMPTS)) and time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the program has gone: its terminal closed
                return False
            if not chunk:
                return False
            seen += chunk
    return len(seen) > before and seen.endswith(PROMPTS)


def main(command: str, session: str) -> int:
    main_fd, child_fd = pty.openpty()
    # A plain terminal: no colours, no bracketed paste codes from readline.
    env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "PYTHON_COLORS": "0", "DJANGO_COLORS": "nocolor"}
    program = subprocess.Popen(command, shell=True, stdin=child_fd, stdout=child_fd, stderr=child_fd,
                               env=env, start_new_session=True)
    os.close(child_fd)
    seen = bytearray()
    for line in typed_lines(session):
        if not read_until_prompt(main_fd, seen):
            break
        os.write(main_fd, line.encode() + b"\n")
    prompted = read_until_prompt(main_fd, seen)
    if prompted and seen.endswith(b"... "):  # a block left open: the empty line that ends it
        os.write(main_fd, b"\n")
        prompted = read_until_prompt(main_fd, seen)
    if prompted:
        os.write(main_fd, b"\x04")  # Ctrl+D: the session is over
    try:
        program.wait(timeout=DEADLINE)
    except subprocess.TimeoutExpired:  # what the screen showed says why
        os.killpg(program.pid, 9)
        program.wait()
    while select.select([main_fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    sys.stdout.write(seen.decode(errors="replace").replace("\r\n", "\n"))
    return program.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.stdin.read()))
