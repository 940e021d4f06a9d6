"""Checks decided in the workbook's own process, against the project's live servers.

The probe runs inside the project's process; a check of nature "servers" talks to real
Daphne processes of the project from here, with the workbook's `websockets` client, and so
does every verdict `grade` (or `check --sandbox`) decides from outside (course.toml `verify`).
The runner starts the servers as soon as the probe says the project imports (they boot while
the probe's checks run) and runs these checks once the probe is done.
"""

from __future__ import annotations

import asyncio
import time

from checker.i18n import N_
from checker.result import CheckFailed, CheckResult, Note


async def run_check(spec, function, ctx, verbose: bool) -> CheckResult:
    started = time.perf_counter()
    key, params, status, causes = "", {}, "pass", []
    try:
        if asyncio.iscoroutinefunction(function):
            note = await asyncio.wait_for(function(ctx), spec.timeout)
        else:
            note = await asyncio.wait_for(asyncio.to_thread(function, ctx), spec.timeout)
        if isinstance(note, Note):
            key, params = note.key, note.params
    except CheckFailed as failed:
        key, params, status, causes = failed.key, failed.params, failed.status, failed.causes
    except asyncio.TimeoutError:
        key, params, status = "timeout", {"seconds": spec.timeout}, "error"
    except Exception as exc:  # a mistake of the checker's own: said so, never a traceback
        key, params, status = N_("checker-failed"), {"error": f"{type(exc).__name__}: {exc}"}, "error"
    finally:
        if hasattr(ctx, "close_clients"):
            await ctx.close_clients()
    return CheckResult(
        id=spec.id, status=status, key=key, params=params, causes=causes,
        duration_ms=int((time.perf_counter() - started) * 1000),
        frames=list(ctx.frames) if verbose else [],
    )
