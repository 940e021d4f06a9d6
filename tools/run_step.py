"""`make run-step N`: the chat of step N under Daphne on http://127.0.0.1:8000/chat/.

Steps that need Redis use it when it answers; otherwise they run on Channels'
InMemoryChannelLayer (rooms work within this one process) and say so.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

from checker import ROOT, overlay
from checker.course import load_course
from checker.project import locate
from checker.redis_server import INSTALL, current_url, ping

OVERLAY_DIR = ROOT / ".cache" / "run-step"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="make run-step")
    parser.add_argument("step", help="a step number, or last (make run: the finished chat)")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    course = load_course()
    args.step = max(course.steps) if args.step == "last" else int(args.step) if args.step.isdigit() else 0
    if args.step not in course.steps:
        print(f"No step {args.step}; steps: {', '.join(map(str, course.steps))}", file=sys.stderr)
        return 2
    step = course.steps[args.step]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    if step.needs_redis:
        url = current_url()
        env["REDIS_URL"] = url
        if ping(url):
            print(f"Step {step.name}: channel layer on Redis at {url}")
        else:
            settings = locate(step.path).settings
            env["DJANGO_SETTINGS_MODULE"] = overlay.write(OVERLAY_DIR, settings, layer=overlay.MEMORY_LAYER)
            env["PYTHONPATH"] = os.pathsep.join([str(OVERLAY_DIR), str(step.path)])
            print(f"Redis does not answer at {url}: step {step.name} runs on the in-memory "
                  "channel layer.\n  Rooms work within this one server process; two servers "
                  "would not hear each other.\n  For the real layer run `make redis` first.")
            if shutil.which("redis-server") is None:
                print("  " + INSTALL.replace("\n", "\n  "))
    manage = [sys.executable, "manage.py"]
    subprocess.run(manage + ["migrate", "--noinput", "-v", "0"], cwd=step.path, env=env, check=True)
    print(f"Open http://127.0.0.1:{args.port}/chat/ — Ctrl+C stops the server.", flush=True)
    try:
        return subprocess.run(
            manage + ["runserver", f"127.0.0.1:{args.port}"], cwd=step.path, env=env
        ).returncode
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
