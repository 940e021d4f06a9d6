"""A class with hostile submissions (tests/hostile/) and two correct "victims", graded in one
sandboxed run: no attack reaches anything outside its own sandbox, no forged result counts,
the grader never crashes, and the victims score exactly as in a clean run."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from conftest import checker_env, run_checker, shared_once

from checker import ROOT
from checker.course import load_course, tomllib
from checker.sandbox import available

COURSE = load_course()
HOSTILE = ROOT / "tests" / "hostile"
ATTACKS = tomllib.loads((HOSTILE / "attacks.toml").read_text(encoding="utf-8"))["attack"]
MARKER = "hostile-7f3a9c"
SECRET = "canary-secret-5b1e"
VICTIMS = {"victim-a": 5, "victim-b": 5, "victim-tests": 7}  # name: the class (step) it is in

pytestmark = [pytest.mark.redis, pytest.mark.skipif(bool(available()), reason="bubblewrap does not run here")]


class Listener:
    """A loopback server of the test's: an attack that reaches it has escaped its network."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(1)
                try:
                    self.received.append(connection.recv(4096))
                except OSError:
                    self.received.append(b"(connected)")

    def close(self):
        self.stop.set()
        self.thread.join(timeout=2)
        self.server.close()


def fingerprint(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def copy_step(number: int, into: Path) -> Path:
    shutil.copytree(COURSE.steps[number].path, into, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    (into / "db.sqlite3").write_bytes(b"")  # the real database an attack would delete
    return into


def build_attack(attack: dict, folder: Path, fill: dict) -> Path:
    project = copy_step(attack["step"], folder / attack.get("folder", attack["name"]))
    code = (HOSTILE / f"{attack['name']}.py").read_text(encoding="utf-8")
    for name, value in fill.items():
        code = code.replace("{" + name + "}", str(value))
    if attack["put"] == "append":
        settings = project / "chatsite" / "settings.py"
        settings.write_text(settings.read_text() + "\n\n# --- the attack ---\n" + code)
    else:
        (project / "chat" / "tests.py").write_text(code)
    return project


def survivors(since: float, base: Path) -> list[str]:
    """Processes started since `since` that belong to a submission's run of this arena: its
    code runs with the submission (under `base`) as its folder, or names the attacks' marker.
    (Other tests' checkers run at the same time under xdist: they are not this run's.)"""
    found = []
    boot = time.time() - float(Path("/proc/uptime").read_text().split()[0])
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            started = boot + int((entry / "stat").read_text().rsplit(")", 1)[1].split()[19]) / tick
            cwd = os.readlink(entry / "cwd")
        except (OSError, IndexError, ValueError):
            continue
        if started >= since and (MARKER in cmdline or cwd.startswith(str(base))):
            found.append(f"{entry.name}: {cmdline[:200]}")
    return found


def build_corpus(base: Path, listener) -> dict:
    """The canaries, an instructor's home, the victims (and a clean copy of them) and every
    attack, in `base`: each fixture gets its own, so that nothing one run does reaches another."""
    canary, home = base / "canary", base / "home"
    (canary / "report").mkdir(parents=True)
    (home / ".ssh").mkdir(parents=True)
    (canary / "secret.txt").write_text(SECRET)
    (canary / "delete-me.txt").write_text("keep me")
    (home / ".ssh" / "id_rsa").write_text(f"-----BEGIN {SECRET} KEY-----")
    (home / ".bashrc").write_text("# the instructor's\n")
    fill = {"CANARY": canary, "HOME": home, "PORT": listener.port, "MARKER": MARKER}
    clean, hostile = base / "clean", base / "class"
    for name, number in VICTIMS.items():
        copy_step(number, clean / f"step{number}" / name)
        copy_step(number, hostile / f"step{number}" / name)
    for attack in ATTACKS:
        build_attack(attack, hostile / f"step{attack['step']}", fill)
    env = checker_env(HOME=str(home), CANARY_SECRET=SECRET)
    return {"canary": canary, "home": home, "clean": clean, "hostile": hostile, "env": env}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, redis_url):
    """For the one-submission runs (check --sandbox): a corpus of their own, no grading."""
    listener = Listener()
    yield {**build_corpus(tmp_path_factory.mktemp("hostile-one"), listener), "listener": listener}
    listener.close()


@pytest.fixture(scope="session")
def arena(tmp_path_factory, redis_url):
    """Graded once per run, also under xdist: the first worker to ask grades, the others wait on
    a lock in the run's shared temp folder and read what it found (grading twice would cost
    minutes and prove nothing more)."""
    data = shared_once(tmp_path_factory, "hostile-arena", lambda folder: build_arena(folder, redis_url))
    return {**data, **{k: Path(data[k]) for k in ("canary", "home", "hostile")}}


def build_arena(base: Path, redis_url: str) -> dict:
    base.mkdir()
    listener = Listener()
    made = build_corpus(base, listener)
    canary, home, clean, hostile, env = (made[k] for k in ("canary", "home", "clean", "hostile", "env"))
    victims = {n: hostile / f"step{s}" / n for n, s in VICTIMS.items()}
    before = {"canary": fingerprint(canary), "home": fingerprint(home), "victims": {n: fingerprint(p) for n, p in victims.items()}}
    venv_pth = set(Path(sys.prefix).rglob("*.pth"))
    import redis

    shared = redis.Redis.from_url(redis_url)
    shared.set(f"{MARKER}-canary", "still here")
    started = time.time()

    def grade(folder: Path, step: int, out: Path, environment: dict):
        return subprocess.run(
            [sys.executable, "-m", "checker", "grade", str(folder), "--step", str(step), "--format", "md,csv,json,html",
             "--out", str(out), "--lang", "en", "--jobs", "2"],
            cwd=ROOT, env=environment, capture_output=True, text=True, timeout=900,
        )

    with ThreadPoolExecutor(2) as pool:
        runs = {step: pool.submit(grade, hostile / f"step{step}", step, canary / "report" / f"step{step}", env) for step in (5, 7)}
        graded = {step: run.result() for step, run in runs.items()}
    clean_runs = {step: grade(clean / f"step{step}", step, base / f"clean-{step}", checker_env()) for step in (5, 7)}
    time.sleep(3)  # what a surviving daemon would do, it would have done by now
    after = {"canary": fingerprint(canary), "home": fingerprint(home), "victims": {n: fingerprint(p) for n, p in victims.items()}}
    found = {
        "graded": {step: {"returncode": done.returncode, "stderr": done.stderr[-3000:]} for step, done in graded.items()},
        "clean": {s: json.loads((base / f"clean-{s}" / "grades.json").read_text()) for s in clean_runs},
        "before": before, "after": after, "canary": str(canary), "home": str(home),
        "listener": [r.decode(errors="replace") for r in listener.received], "survivors": survivors(started, base),
        "pth": sorted(map(str, set(Path(sys.prefix).rglob("*.pth")) - venv_pth)),
        "shared": (shared.get(f"{MARKER}-canary") or b"").decode(), "hostile": str(hostile), "env": env,
    }
    listener.close()
    shared.delete(f"{MARKER}-canary")
    return found


def rows_of(arena) -> dict[str, dict]:
    return {row["entry"]: row for step in (5, 7)
            for row in json.loads((arena["canary"] / "report" / f"step{step}" / "grades.json").read_text())["rows"]}


def reports(arena) -> list[Path]:
    return [p for step in (5, 7) for p in (arena["canary"] / "report" / f"step{step}").iterdir()]


def test_the_grader_finishes_and_reports_every_submission(arena):
    for graded in arena["graded"].values():
        assert graded["returncode"] == 0, graded["stderr"]
    rows = rows_of(arena)
    assert set(rows) == {a.get("folder", a["name"]) for a in ATTACKS} | set(VICTIMS)


def test_nothing_outside_the_sandboxes_was_read_written_or_reached(arena):
    assert arena["after"]["canary"] == arena["before"]["canary"] | {
        k: v for k, v in arena["after"]["canary"].items() if k.startswith("report/")}
    assert not (arena["canary"] / "pwned.txt").exists() and (arena["canary"] / "delete-me.txt").exists()
    assert not (arena["canary"] / "grades.html").exists()
    assert arena["after"]["home"] == arena["before"]["home"]
    assert not Path(f"/tmp/{MARKER}-outside.txt").exists()
    assert arena["listener"] == [], arena["listener"]
    assert arena["pth"] == [] and not (arena["canary"] / "pth-ran.txt").exists()
    assert arena["shared"] == "still here"  # FLUSHALL reached only the attacker's own Redis
    assert arena["after"]["victims"] == arena["before"]["victims"]  # no submission rewrote another


def test_no_secret_of_the_instructors_reaches_a_report(arena):
    for report in reports(arena):
        text = report.read_text(encoding="utf-8", errors="replace")
        assert SECRET not in text, report.name  # (paths the attacks name themselves may appear)


def test_no_process_survives_the_run(arena):
    assert arena["survivors"] == [], arena["survivors"]


def test_the_report_was_not_replaced(arena):
    for step in (5, 7):
        html = (arena["canary"] / "report" / f"step{step}" / "grades.html").read_text()
        assert "100/100 for everyone" not in html and html.startswith("<!DOCTYPE html>")


def test_victims_score_as_in_a_clean_run(arena):
    clean = {row["entry"]: row for grades in arena["clean"].values() for row in grades["rows"]}
    rows = rows_of(arena)
    for name in VICTIMS:
        statuses = {c["id"]: c["status"] for c in rows[name]["report"]["checks"]}
        expected = {c["id"]: c["status"] for c in clean[name]["report"]["checks"]}
        assert statuses == expected, name
        assert rows[name]["passed"] == clean[name]["passed"]
        assert rows[name]["points"] == clean[name]["points"] == rows[name]["max_points"]


def test_forged_results_score_nothing_on_the_sockets(arena):
    rows = rows_of(arena)
    sockets = {c for c in COURSE.steps[5].checks if c.startswith(("ws-", "group-")) or c in ("redis-layer", "two-servers")}
    for attack in ATTACKS:
        if "forged" in attack.get("expect", []):
            report = rows[attack["name"]]["report"]
            passed = [c["id"] for c in report["checks"] if c["id"] in sockets and c["status"] in ("pass", "warn")]
            assert passed == [], (attack["name"], passed)


def test_forged_own_tests_do_not_pass(arena):
    done = run_checker("check", "7", "--project", str(arena["hostile"] / "step7" / "forged-own-tests"), "--sandbox",
                       "--only", "own-tests-pass", "--format", "json", "--lang", "en", env=arena["env"])
    result = next(c for c in json.loads(done.stdout)["checks"] if c["id"] == "own-tests-pass")
    assert (result["status"], result["key"]) == ("fail", "own-tests-blind"), result


def test_every_renderer_escapes_for_its_medium(arena):
    folder = "=1+1 <img src=x onerror=alert(1)>"
    markdown = (arena["canary"] / "report" / "step5" / "grades.md").read_text()
    assert "<img" not in markdown and "<script" not in markdown and "\x1b" not in markdown
    cells = [cell for row in csv.reader(io.StringIO((arena["canary"] / "report" / "step5" / "grades.csv").read_text())) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells), [c for c in cells if c[:1] in "=+-@"]
    assert "'" + folder in cells
    html = (arena["canary"] / "report" / "step5" / "grades.html").read_text()
    assert "<img src=x" not in html and "<script>alert" not in html
    project = arena["hostile"] / "step5" / folder
    done = run_checker("check", "5", "--project", str(project), "--sandbox", "--format", "junit", "--lang", "en", env=arena["env"])
    ET.fromstring(done.stdout)  # valid XML, control characters and all
    text = run_checker("check", "5", "--project", str(project), "--sandbox", "--lang", "en", env=arena["env"]).stdout
    assert "\x1b" not in text and "\x07" not in text and MARKER in text


@pytest.mark.parametrize("name", [a["name"] for a in ATTACKS if a["name"] not in ("report-injection",)])
def test_each_attack_under_check_sandbox(corpus, name):
    """The same, one submission at a time, as `check --sandbox` runs it."""
    attack = next(a for a in ATTACKS if a["name"] == name)
    before = fingerprint(corpus["canary"])
    done = run_checker("check", str(attack["step"]), "--project", str(corpus["hostile"] / f"step{attack['step']}" / attack.get("folder", name)),
                       "--sandbox", "--format", "json", "--lang", "en", env=corpus["env"])
    assert "Traceback" not in done.stdout, done.stdout[-2000:]
    report = json.loads(done.stdout)
    assert SECRET not in done.stdout + done.stderr
    assert fingerprint(corpus["canary"]) == before
    if "forged" in attack.get("expect", []):
        assert not report["passed"]
