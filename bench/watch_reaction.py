"""How soon `checker watch` answers a save: the time from a file's change to the first check's
line on the watch's output, on a copy of a reference step (the benchmark's checker part).

    python -m bench.watch_reaction [--steps 1,2,3,4] [--saves 5]

Each save changes chat/views.py (a comment, so the checks stay green); warm (the zygote) and
cold (CHECKER_NO_ZYGOTE=1) run side by side, alternating.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from checker import ROOT
from checker.course import load_course

STATUS = ("  ✔ ", "  ✘ ", "  ‼ ", "  · ")


class Watch:
    """A `checker watch` process and the moments its lines arrive."""

    def __init__(self, step: int, project: Path, warm: bool):
        env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONUNBUFFERED="1")
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.pop("VIRTUAL_ENV", None)
        if not warm:
            env["CHECKER_NO_ZYGOTE"] = "1"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "checker", "watch", str(step), "--project", str(project), "--lang", "en"],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8",
        )
        self.lines: list[tuple[float, str]] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stdout:
            self.lines.append((time.perf_counter(), line))

    def wait_for(self, text: str, after: int, timeout: float = 120) -> tuple[int, float]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, (at, line) in enumerate(self.lines[after:], after):
                if text in line if text else line.startswith(STATUS):
                    return i, at
            time.sleep(0.005)
        raise TimeoutError(f"no line with {text!r}:\n" + "".join(line for _, line in self.lines[-20:]))

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def measure(step: int, saves: int, warm: bool, folder: Path) -> dict[str, list[float]]:
    project = folder / f"step{step}-{'warm' if warm else 'cold'}"
    shutil.copytree(load_course().steps[step].path, project, ignore=shutil.ignore_patterns("__pycache__", "*.sqlite3"))
    views = project / "chat" / "views.py"
    watch = Watch(step, project, warm)
    times = {"first": [], "loads": [], "done": []}
    try:
        seen, _ = watch.wait_for("Waiting for changes", 0)
        for n in range(saves):
            time.sleep(0.3)  # the watcher is listening again
            saved = time.perf_counter()
            views.write_text(views.read_text() + f"# save {n}\n")
            changed, _ = watch.wait_for("changed:", seen)
            _, first = watch.wait_for("", changed)
            _, loads = watch.wait_for("project-loads", changed)
            _, done = watch.wait_for(f"Step {step:02d}:", changed)
            times["first"].append(first - saved)
            times["loads"].append(loads - saved)
            times["done"].append(done - saved)
            seen, _ = watch.wait_for("Waiting for changes", changed)
    finally:
        watch.stop()
    return times


def run(steps=(1, 2, 3, 4), saves: int = 5, say=print) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="watch-reaction-"))
    out = {}
    try:
        for step in steps:
            warm = measure(step, saves, True, folder)
            cold = measure(step, saves, False, folder)
            med = {f"{kind}_{what}_median_s": statistics.median(times[what])
                   for kind, times in (("warm", warm), ("cold", cold)) for what in times}
            out[str(step)] = {**med, "warm_s": warm, "cold_s": cold}
            say(f"  watch step {step}, after a save (median of {saves}; zygote / spawned): first line "
                f"{med['warm_first_median_s']:.2f} / {med['cold_first_median_s']:.2f} s, project-loads "
                f"{med['warm_loads_median_s']:.2f} / {med['cold_loads_median_s']:.2f} s, whole step "
                f"{med['warm_done_median_s']:.2f} / {med['cold_done_median_s']:.2f} s")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.watch_reaction")
    parser.add_argument("--steps", default="1,2,3,4")
    parser.add_argument("--saves", type=int, default=5)
    args = parser.parse_args(argv)
    run([int(s) for s in args.steps.split(",")], args.saves)
    return 0


if __name__ == "__main__":
    sys.exit(main())
