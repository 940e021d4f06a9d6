"""The project as a whole: it imports, its ASGI application, and who serves runserver."""

from __future__ import annotations

from checker.checks import check
from checker.checks.pages import ROOM_INPUT
from checker.result import CheckFailed


@check("project-loads")
def project_loads(ctx):
    """Import what a server imports: the URLconf and the ASGI application."""
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
    if not ROOM_INPUT.search(response["body"].decode(errors="replace")):
        raise CheckFailed("index-no-input", path="/chat/ (ASGI)")
