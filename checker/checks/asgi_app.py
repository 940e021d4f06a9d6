"""The project as a whole: it imports, its ASGI application, and who serves runserver."""

from __future__ import annotations

from checker.checks import check
from checker.checks.pages import ELEMENT_ID, ROOM_INPUT
from checker.i18n import N_
from checker.result import CheckFailed


@check("project-loads")
def project_loads(ctx):
    """Import what a server imports (the URLconf, the ASGI application), then run Django's
    system checks as runserver does: an error stops runserver, so it fails here too."""
    from django.urls import get_resolver

    try:
        _ = get_resolver().url_patterns  # imports ROOT_URLCONF and every included urls.py
    except Exception as exc:
        raise ctx.fail_from(exc, "load-failed", status="fail", what="ROOT_URLCONF") from None
    if getattr(ctx.settings, "ASGI_APPLICATION", None):
        try:
            _ = ctx.application
        except Exception as exc:
            raise ctx.fail_from(
                exc, "load-failed", status="fail", what=ctx.settings.ASGI_APPLICATION
            ) from None
    return system_checks(ctx)


def system_checks(ctx):
    """Django's system checks (`manage.py check`): errors fail, warnings are shown."""
    from django.core import checks

    try:
        found = checks.run_checks()
    except Exception as exc:  # a check of the project's own that raised
        raise ctx.fail_from(exc, "load-failed", status="fail", what="manage.py check") from None
    errors = [m for m in found if m.level >= checks.ERROR and not m.is_silenced()]
    warnings = [m for m in found if checks.WARNING <= m.level < checks.ERROR and not m.is_silenced()]
    if errors:
        cause, params = removed_settings(ctx)
        raise CheckFailed("system-check-errors", causes=[cause] if cause else [], count=len(errors),
                          messages=shown_messages(errors), where=ctx.settings_file, **params)
    if warnings:
        raise CheckFailed("system-check-warnings", status="warn", count=len(warnings),
                          messages=shown_messages(warnings), where=ctx.settings_file)
    return None


def shown_messages(messages) -> str:
    return "\n".join(f"{m.id}: {m.msg}" for m in messages[:8])


def removed_settings(ctx):
    """A setting Django no longer reads, by which the errors are usually explained."""
    from checker.failures import REMOVED_SETTINGS

    for name, (replacement, since) in REMOVED_SETTINGS.items():
        if hasattr(ctx.settings, name):
            return N_("hint-removed-setting"), {"name": name, "replacement": replacement, "since": since}
    return None, {}


def asgi_application(ctx):
    path = getattr(ctx.settings, "ASGI_APPLICATION", None)
    if not path:
        raise CheckFailed("asgi-not-set")
    try:
        return ctx.application
    except Exception as exc:
        raise ctx.fail_from(exc, "load-failed", status="fail", what=path) from None


@check("asgi-application")
def asgi_router(ctx):
    from channels.routing import ProtocolTypeRouter

    application = asgi_application(ctx)
    if not isinstance(application, ProtocolTypeRouter):
        raise CheckFailed(
            "asgi-not-router",
            path=ctx.settings.ASGI_APPLICATION,
            received=type(application).__name__,
        )
    if "http" not in application.application_mapping:
        raise CheckFailed("asgi-no-http", protocols=", ".join(application.application_mapping))


@check("daphne-runserver")
def daphne_runserver(ctx):
    from django.core.management import get_commands

    apps = list(ctx.settings.INSTALLED_APPS)
    owner = get_commands().get("runserver")
    if owner == "daphne":
        return
    if "daphne" not in apps:
        raise CheckFailed("daphne-missing", owner=owner)
    raise CheckFailed("daphne-not-first", owner=owner, position=apps.index("daphne") + 1)


@check("asgi-serves-index")
async def asgi_serves_index(ctx):
    from channels.testing import HttpCommunicator

    application = asgi_application(ctx)
    communicator = HttpCommunicator(
        application, "GET", "/chat/", headers=[(b"host", ctx.host.encode())]
    )
    from checker.context import watched

    try:
        response = await watched(communicator, communicator.get_response(timeout=5))
    except Exception as exc:
        raise ctx.fail_from(exc, "http-crashed", path="/chat/ (ASGI)") from None
    if response["status"] != 200:
        raise CheckFailed("http-status", path="/chat/ (ASGI)", expected=200, received=response["status"])
    html = response["body"].decode(errors="replace")
    if not ROOM_INPUT.search(html):
        raise CheckFailed("index-no-input", path="/chat/ (ASGI)", ids=", ".join(sorted(set(ELEMENT_ID.findall(html)))) or "—")
