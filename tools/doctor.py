"""`make doctor`: is this machine ready for a class? Each part the workbook needs, checked the
way the workbook uses it, with the fix for what is wrong.

Exit status 1 when anything is wrong; a warning (a busy machine) is said and does not fail.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from checker import ROOT
from checker.checks.groups import BUSY  # the one threshold: the checks say the same
from checker.course import load_course
from checker.environment import installed, satisfies
from checker.i18n import N_, t

SOURCES = {"environment": N_("redis-source.environment"), "make-redis": N_("redis-source.make-redis"),
           "default": N_("redis-source.default")}
FREE_DISK = 1 << 30  # bytes: thirty unpacked submissions, their databases and reports


@dataclass
class Finding:
    state: str  # "ok" | "warn" | "bad"
    key: str  # doctor-<part>-<state>, rendered from the catalogs
    params: dict = field(default_factory=dict)
    worded: dict = field(default_factory=dict)  # params that are catalog keys, rendered in the reader's language


def python_and_venv(course) -> list[Finding]:
    version = ".".join(map(str, sys.version_info[:3]))
    findings = []
    if not satisfies(version, course.python):
        findings.append(Finding("bad", "doctor-python-bad", {"version": version, "supported": course.python}))
    else:
        findings.append(Finding("ok", "doctor-python-ok", {"version": version, "python": sys.executable}))
    for requirement in course.requirements:
        have = installed(requirement.dist)
        if have is None or not satisfies(have, requirement.supported):
            findings.append(Finding("bad", "doctor-package-bad", {
                "dist": requirement.dist, "version": have or "-", "supported": requirement.supported,
                "install": requirement.install}))
    if len(findings) == 1:
        names = ", ".join(f"{r.dist} {installed(r.dist)}" for r in course.requirements)
        findings.append(Finding("ok", "doctor-packages-ok", {"versions": names}))
    return findings


def redis() -> list[Finding]:
    from checker.redis_server import INSTALL, url_and_source

    url, source = url_and_source()
    version = redis_version(url)
    if version is None:
        fix = "make redis" if shutil.which("redis-server") else INSTALL
        return [Finding("bad", "doctor-redis-bad", {"url": url, "fix": fix}, {"source": SOURCES[source]})]
    if tuple(map(int, version.split(".")[:2])) < (5, 0):  # channels-redis needs BZPOPMIN
        return [Finding("bad", "doctor-redis-old", {"url": url, "version": version})]
    return [Finding("ok", "doctor-redis-ok", {"url": url, "version": version}, {"source": SOURCES[source]})]


def redis_version(url: str) -> str | None:
    import redis as redis_py

    try:
        client = redis_py.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        return str(client.info("server")["redis_version"])
    except Exception:  # any trouble is "does not answer": the message says where we asked
        return None


def version_of(command: str) -> str | None:
    try:
        done = subprocess.run([command, "--version"], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    found = re.search(r"(\d+)\.[\d.]+", done.stdout)
    return found.group(0) if found else None


def browser() -> list[Finding]:
    browser_path = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    driver_path = shutil.which("chromedriver")
    install = "sudo apt-get install chromium chromium-driver"
    if not browser_path:
        return [Finding("bad", "doctor-chromium-missing", {"install": install})]
    if not driver_path:
        return [Finding("bad", "doctor-chromedriver-missing", {"install": install})]
    browser_version, driver_version = version_of(browser_path), version_of(driver_path)
    if not browser_version or not driver_version or browser_version.split(".")[0] != driver_version.split(".")[0]:
        return [Finding("bad", "doctor-chromedriver-mismatch", {
            "browser": browser_version or "?", "driver": driver_version or "?", "install": install})]
    return [Finding("ok", "doctor-browser-ok", {"browser": browser_version, "driver": driver_version})]


def bubblewrap() -> list[Finding]:
    from checker.sandbox import available

    why = available()
    if why:
        return [Finding("bad", "doctor-bwrap-bad", {"why": why})]
    return [Finding("ok", "doctor-bwrap-ok", {})]


def load() -> list[Finding]:
    cores = os.cpu_count() or 1
    one, five, _ = os.getloadavg()
    params = {"load": f"{one:.1f}", "five": f"{five:.1f}", "cores": cores}
    if one > BUSY * cores:
        return [Finding("warn", "doctor-load-busy", params)]
    return [Finding("ok", "doctor-load-ok", params)]


def disk() -> list[Finding]:
    findings = []
    for place in dict.fromkeys([ROOT, Path(tempfile.gettempdir())]):
        free = shutil.disk_usage(place).free
        params = {"place": str(place), "free": f"{free / (1 << 30):.1f}"}
        if free < FREE_DISK:
            findings.append(Finding("bad", "doctor-disk-bad", params))
        else:
            findings.append(Finding("ok", "doctor-disk-ok", params))
    return findings


MARKS = {"ok": "✔", "warn": "⚠", "bad": "✘"}


def examine() -> list[Finding]:
    course = load_course()
    return [*python_and_venv(course), *redis(), *browser(), *bubblewrap(), *load(), *disk()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="make doctor", description=__doc__.splitlines()[0])
    parser.add_argument("--lang", choices=("ru", "en"), default=os.environ.get("CHECKER_LANG", "ru"))
    args = parser.parse_args(argv)
    findings = examine()
    print(t("doctor-title", args.lang))
    for finding in findings:
        worded = {name: t(key, args.lang) for name, key in finding.worded.items()}
        text = t(finding.key, args.lang, **finding.params, **worded)
        first, *rest = text.splitlines()
        print(f"  {MARKS[finding.state]} {first}")
        for line in rest:
            print(f"      {line}")
    bad = sum(f.state == "bad" for f in findings)
    print(t("doctor-summary-bad", args.lang, count=bad) if bad else t("doctor-summary-ok", args.lang, count=0))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
