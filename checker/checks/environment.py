"""The project's own interpreter holds what the step needs (nature "interpreter": it runs in the
probe before anything imports Django, and is handed the probe's job, not a context)."""

from __future__ import annotations

import sys

from checker.checks import check
from checker.environment import installed, satisfies
from checker.result import CheckFailed, Note


def pip_command(requirements) -> str:
    installs = list(dict.fromkeys(r["install"] for r in requirements))
    return f"{sys.executable} -m pip install " + " ".join(installs)


@check("environment")
def environment(job):
    version = ".".join(map(str, sys.version_info[:3]))
    if job.python_supported and not satisfies(version, job.python_supported):
        raise CheckFailed("env-python", python=sys.executable, version=version, supported=job.python_supported)
    found = {r["dist"]: installed(r["dist"]) for r in job.requirements}
    missing = [r for r in job.requirements if found[r["dist"]] is None]
    if missing:
        first = min(r["step"] for r in missing)
        raise CheckFailed(
            "env-missing", python=sys.executable, missing=", ".join(r["dist"] for r in missing),
            step=first, command=pip_command(missing),
        )
    unsupported = [r for r in job.requirements if not satisfies(found[r["dist"]], r["supported"])]
    if unsupported:
        r = unsupported[0]
        raise CheckFailed(
            "env-unsupported", python=sys.executable, dist=r["dist"], version=found[r["dist"]],
            supported=r["supported"], command=pip_command(unsupported),
        )
    shown = ", ".join(f"{dist} {v}" for dist, v in found.items())
    return Note("environment-note", python=sys.executable, version=version, versions=shown or "—")
