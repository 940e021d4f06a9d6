"""The lessons' own commands quoted in the lessons (`run` markers, tools/lesson_runs.py): each
marker finds its command and script in its lesson, cut outputs are compared line by line, and a
run really starts the lesson's server in a loopback of its own."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from checker import ROOT

sys.path.insert(0, str(ROOT))
from tools.lesson_outputs import (  # noqa: E402
    Marked,
    holds,
    markers,
    numbers_masked,
    parse,
    project_tree,
    run,
    tree_paths,
)
from tools.lesson_repl import main as repl  # noqa: E402
from tools.lesson_repl import typed_lines
from tools.lesson_runs import commands_of, port_of, script_of, shell_script, shown_in  # noqa: E402

RUNS = [m for m in markers() if m.is_run]
needs_bwrap = pytest.mark.skipif(shutil.which("bwrap") is None, reason="needs bubblewrap (apt-get install bubblewrap)")


def test_run_markers_exist_in_both_editions():
    by_lang = {lang: [m.spec for m in RUNS if m.lang == lang] for lang in ("ru", "en")}
    assert len(by_lang["ru"]) >= 30, "the lessons' own outputs are no longer marked"
    assert by_lang["ru"] == by_lang["en"], "ru and en quote the same commands, in the same order"


@pytest.mark.parametrize("marked", RUNS, ids=lambda m: m.where())
def test_every_run_marker_finds_its_command_and_script(marked):
    commands = commands_of(marked)
    assert commands.strip() or marked.run.get("browser"), f"{marked.where()}: nothing runs (`cmd: -` needs a browser:)"
    if marked.run.get("script"):
        script = script_of(marked)
        compile(script, marked.run["script"], "exec")  # the script the student saves is Python
    for server in marked.run.get("server", []):
        assert 1024 < port_of(server) < 65536, f"{marked.where()}: {server}"


def test_run_fields():
    lesson = ROOT / "lessons" / "ru" / "04-echo.md"
    marked = parse(lesson, "run; project: steps/04-echo; script: a.py; server: daphne -p 8001 x:app; "
                           "server: daphne -p 8002 x:app; show: server; setup: python manage.py migrate; "
                           "cmd: python a.py; excerpt", "x\n", 0, 1)
    assert marked.is_run and marked.excerpt and marked.step == 4
    assert marked.run == {"script": "a.py", "server": ["daphne -p 8001 x:app", "daphne -p 8002 x:app"],
                          "show": "server", "setup": "python manage.py migrate", "cmd": "python a.py"}
    for wrong in ("run; script: a.py", "check 4; cmd: python a.py", "run; project: steps/04-echo; exerpt"):
        with pytest.raises(ValueError):
            parse(lesson, wrong, "x\n", 0, 1)
    assert [port_of(c) for c in ("python manage.py runserver", "python manage.py runserver 127.0.0.1:8123",
                                 "daphne -b 127.0.0.1 -p 18708 chatsite.asgi:application")] == [8000, 8123, 18708]


def test_a_cut_output_keeps_its_lines_in_order():
    output = "Found 2 test(s).\nCreating...\nType 'yes' to go on, or 'no' to cancel: Traceback\n  File x\nEOFError\n"
    assert shown_in("Found 2 test(s).\n...\nEOFError", output)
    assert shown_in("Type 'yes' to go on, or 'no' to cancel:", output)  # a prompt, then what follows it
    assert shown_in("  File x\nEOFError", output)  # the tail of a traceback
    assert not shown_in("EOFError\n...\nFound 2 test(s).", output)  # out of order
    assert not shown_in("Found 2 test(s).\nEOFError", output)  # lines left out need a `...`
    assert not shown_in("Creat", output)  # a line is whole, not a prefix


def test_what_runs_in_the_namespace(tmp_path):
    lesson = tmp_path / "ru" / "01-x.md"
    lesson.parent.mkdir()
    lesson.write_text("```bash\npython manage.py runserver\n```\n\n<!-- output: run -->\n```text\nx\n```\n",
                      encoding="utf-8")
    start = lesson.read_text(encoding="utf-8").index("x\n```")
    log = Marked(lesson, ["run"], None, "x\n", start, start + 2, project="steps/01-index",
                 run={"server": ["python manage.py runserver"], "show": "server"})
    script = shell_script(log)
    assert script.count("python manage.py runserver") == 1, "the lesson's block is the server: not run twice"
    assert "/dev/tcp/127.0.0.1/8000" in script and script.rstrip().endswith("cat ~/server.log")
    curl = Marked(lesson, ["run"], None, "x\n", start, start + 2, project="steps/01-index",
                  run={"server": ["python manage.py runserver"], "cmd": "curl -sI http://127.0.0.1:8000/"})
    script = shell_script(curl)
    assert "curl -sI" in script and 'echo "the server stopped:"' in script
    assert script.rstrip().endswith("cat ~/commands.log")


@needs_bwrap
def test_a_run_starts_the_lessons_server_and_shows_what_the_student_sees():
    """Lesson 02's `curl -sI` against runserver under Daphne, and the same run against a server
    that cannot start: its log, never a hang."""
    marked = next(m for m in RUNS if m.lang == "en" and m.lesson.name == "02-asgi.md"
                  and m.body.startswith("HTTP/1.1 200 OK"))
    output = run(marked)
    assert holds(marked, output), output
    assert "Server: daphne" in output
    broken = parse(marked.lesson, marked.spec + "; edit: chatsite/asgi.py 'import os' 'import os, no_such_module'",
                   marked.body, marked.start, marked.end)
    # Daphne exits on the import error (runserver's reloader would wait DEADLINE for a fix).
    broken.run["server"] = ["daphne -b 127.0.0.1 -p 8000 chatsite.asgi:application"]
    output = run(broken)
    assert output.startswith("the server stopped:") and "No module named 'no_such_module'" in output, output
    assert str(Path.home()) not in output and str(ROOT) not in output


def test_browser_repl_mask_and_tree_fields():
    lesson = ROOT / "lessons" / "ru" / "05-groups.md"
    marked = parse(lesson, "run; project: steps/05-groups; server: python manage.py runserver; "
                           "browser: /chat/lobby/ close; browser: /chat/lobby/ type hello; show: console; cmd: -",
                   "x\n", 0, 1)
    assert marked.run["browser"] == ["/chat/lobby/ close", "/chat/lobby/ type hello"] and commands_of(marked) == ""
    script = shell_script(marked)
    assert "lesson_browser.py http://127.0.0.1:8000 '/chat/lobby/ close' '/chat/lobby/ type hello'" in script
    assert script.index("lesson_browser.py") > script.index("/dev/tcp/127.0.0.1/8000"), "the tabs wait for the server"
    assert script.rstrip().endswith("cat ~/browser.log")
    repl_marked = parse(lesson, "run; project: steps/05-groups; cmd: python manage.py shell; repl; excerpt", ">>> 1\n", 0, 1)
    assert repl_marked.run["repl"] and "lesson_repl.py" in shell_script(repl_marked)
    assert parse(lesson, "run; project: steps/06-async; cmd: x; mask: numbers", "x\n", 0, 1).numbers_masked
    tree = parse(lesson, "tree; project: steps/01-index", "x\n", 0, 1)
    assert tree.is_tree and tree.step == 1
    for wrong in ("run; project: steps/06-async; cmd: x; mask: words", "tree"):
        with pytest.raises(ValueError):
            parse(lesson, wrong, "x\n", 0, 1)


def test_a_drawn_tree_is_held_to_the_steps_files():
    drawn = next(m for m in markers() if m.is_tree and m.lang == "ru")
    files = project_tree(ROOT / drawn.project)
    assert holds(drawn, files)
    assert "chat/views.py" in tree_paths(drawn.body) and "chatsite/" in tree_paths(drawn.body)
    missing = drawn.body.replace("        views.py\n", "")
    assert not holds(Marked(**{**drawn.__dict__, "body": missing}), files), "a file left out of the drawing"
    extra = drawn.body.replace("        views.py\n", "        views.py\n        models.py\n")
    assert not holds(Marked(**{**drawn.__dict__, "body": extra}), files), "a file the step does not have"


def test_numbers_masked_keeps_the_words_and_their_order():
    run_a = "step05   1,016  0.52x  lost 0\n- async vs sync: step 06 delivers 1.4x at N=10\n"
    run_b = "step05  12,345  0.7x  lost 0\n- async vs sync: step 06 delivers 11.0x at N=10\n"
    assert numbers_masked(run_a) == numbers_masked(run_b)
    assert numbers_masked(run_a) != numbers_masked(run_b.replace("step05", "step06"))
    assert numbers_masked(run_a) != numbers_masked(run_b.replace("delivers", "loses"))


def test_a_session_is_typed_at_its_prompts(capsys):
    session = ">>> 1 + 1\n2\n...\n>>> for n in range(2):\n...     print(n * 10)\n"
    assert typed_lines(session) == ["1 + 1", "for n in range(2):", "    print(n * 10)"]
    assert repl(f"{sys.executable} -q -i", session) == 0
    shown = capsys.readouterr().out
    assert ">>> 1 + 1\n2\n>>> for n in range(2):\n...     print(n * 10)\n" in shown
    assert "\n0\n10\n" in shown, "the open block is ended with an empty line before Ctrl+D"


def test_a_script_of_another_lesson():
    marked = next(m for m in RUNS if m.lang == "en" and "#" in m.run.get("script", ""))
    lesson, _, name = marked.run["script"].partition("#")
    other = next(m for m in markers([marked.lesson.parent / lesson]) if m.run.get("script") == name)
    assert script_of(marked) == script_of(other)


@needs_bwrap
@pytest.mark.browser
def test_the_browser_of_a_run_shows_its_console():
    """Lesson 03's console: headless Chromium inside the run's loopback, the handshake's 500 and
    the send into a closed socket as DevTools prints them."""
    if shutil.which("chromedriver") is None:
        pytest.skip("needs chromium and chromium-driver")
    marked = next(m for m in RUNS if m.lang == "en" and m.run.get("show") == "console")
    output = run(marked)
    assert holds(marked, output), output
    assert "Unexpected response code: 500" in output and "already in CLOSING or CLOSED state" in output


def test_dropped_lines_are_not_compared():
    """A timeline's clock ticks (`drop:`) may fall before or after an event; the events may not
    change, nor their order."""
    lesson = ROOT / "lessons" / "ru" / "appendix-reliability.md"
    quoted = " 3.0 s  tick 1\n 3.4 s  closed\n 4.0 s  tick 2\n 4.8 s  connected\n"
    marked = parse(lesson, "run; project: steps/09-history; cmd: x; mask: numbers; drop: tick", quoted, 0, 1)
    assert marked.dropped == ["tick"]
    assert holds(marked, " 3.1 s  closed\n 3.5 s  tick 1\n 4.9 s  connected\n")
    assert not holds(marked, " 3.1 s  connected\n 3.5 s  closed\n")
    assert not holds(marked, " 3.1 s  closed\n")
