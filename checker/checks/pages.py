"""HTTP pages through Django's test client: the index, the room page, escaping, 404."""

from __future__ import annotations

import difflib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

from checker.checks import check, verifier
from checker.i18n import N_
from checker.result import CheckFailed

ROOM_INPUT = re.compile(r"""id\s*=\s*["']room-name-input["']""")
EVIL_ROOM = "</script><script>alert(1)</script>"


class JsonScripts(HTMLParser):
    """Collects <script type="application/json" id=...> elements, as json_script writes them."""

    def __init__(self):
        super().__init__()
        self.found: dict[str, str] = {}
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("type") == "application/json" and attrs.get("id"):
            self._current = attrs["id"]
            self.found[self._current] = ""

    def handle_data(self, data):
        if self._current:
            self.found[self._current] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._current = None


def json_scripts(html: str) -> dict[str, str]:
    parser = JsonScripts()
    parser.feed(html)
    return parser.found


def view_of(ctx, path: str) -> dict:
    """Which view of the project answers `path`, where it is defined, what it takes and what
    the route hands it: {"view", "where", "signature", "kwargs"}; {} when nothing resolves."""
    import inspect

    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return {}
    function = getattr(match.func, "view_class", None) or match.func
    name = f"{function.__module__}.{function.__qualname__}"
    where, signature = "", ""
    try:
        source = Path(inspect.getsourcefile(function)).resolve()
        line = inspect.getsourcelines(function)[1]
        if source.is_relative_to(ctx.root):
            where = f"{source.relative_to(ctx.root)}:{line}"
        signature = str(inspect.signature(match.func if inspect.isfunction(match.func) else function))
    except (TypeError, OSError, ValueError):
        pass
    kwargs = ", ".join(f"{k}={v!r}" for k, v in match.kwargs.items()) or "—"
    return {"view": name, "where": where or "?", "signature": signature or "?", "kwargs": kwargs}


def get(ctx, path: str):
    """GET through Django's test client (or, outside the project, through its live server);
    a crash in a view becomes a diagnosis."""
    if getattr(ctx, "live", False):
        return ctx.http_get(path)
    from django.test import Client

    client = Client(HTTP_HOST=ctx.host)
    try:
        return client.get(path)
    except TypeError as exc:
        view = view_of(ctx, path)
        if view and ("argument" in str(exc)) and view["view"].split(".")[-1] in str(exc):
            # The route hands the view what its signature does not take, or not what it needs.
            causes = [N_("hint-view-arguments")]
            raise CheckFailed("http-crashed", status="error", causes=causes,
                              path=path, error=f"TypeError: {exc}", **view) from None
        raise ctx.fail_from(exc, "http-crashed", path=path) from None
    except Exception as exc:
        raise ctx.fail_from(exc, "http-crashed", path=path) from None


def expect_status(ctx, response, path: str, status: int = 200):
    if response.status_code == status:
        return
    if response.status_code == 400:
        raise CheckFailed("http-bad-host", path=path, host=ctx.host)
    key = "http-404" if response.status_code == 404 else "http-status"
    raise CheckFailed(key, path=path, expected=status, received=response.status_code)


ELEMENT_ID = re.compile(r"""\bid\s*=\s*["']([^"']+)["']""")


@check("index-page")
def index_page(ctx):
    response = get(ctx, "/chat/")
    expect_status(ctx, response, "/chat/")
    html = response.content.decode(errors="replace")
    if ROOM_INPUT.search(html):
        return None
    view = {} if getattr(ctx, "live", False) else view_of(ctx, "/chat/")
    if view and view["kwargs"] != "—":  # another view's route caught /chat/: the room page, say
        raise CheckFailed("index-other-view", path="/chat/", **view)
    ids = sorted(set(ELEMENT_ID.findall(html)))
    near = difflib.get_close_matches("room-name-input", ids, n=1, cutoff=0.7)
    causes = [N_("hint-id-near-miss")] if near else []
    raise CheckFailed("index-no-input", causes=causes, path="/chat/", ids=", ".join(ids) or "—",
                      found=near[0] if near else "", wanted="room-name-input")


@check("unknown-404")
def unknown_404(ctx):
    path = f"/{ctx.room('nosuchpage')}/"
    response = get(ctx, path)
    if response.status_code != 404:
        raise CheckFailed("not-404", path=path, received=response.status_code)


@check("room-page")
def room_page(ctx):
    room = ctx.room("lobby")
    path = f"/chat/{room}/"
    response = get(ctx, path)
    expect_status(ctx, response, path)
    html = response.content.decode(errors="replace")
    scripts = json_scripts(html)
    if "room-name" not in scripts:
        near = difflib.get_close_matches("room-name", list(scripts), n=1, cutoff=0.7)
        causes = [N_("hint-id-near-miss")] if near else []
        raise CheckFailed("room-no-json-script", causes=causes, path=path,
                          ids=", ".join(scripts) or "—", found=near[0] if near else "", wanted="room-name")
    try:
        value = json.loads(scripts["room-name"])
    except ValueError:
        raise CheckFailed("room-json-invalid", path=path, content=scripts["room-name"][:80]) from None
    if value != room:
        raise CheckFailed("room-name-wrong", path=path, expected=room, received=value)


@check("room-name-escaped")
def room_name_escaped(ctx):
    """Render the room page for a name no URL can carry (it has "/") but a page must survive.

    The request goes through the project's whole middleware (sessions, auth); only the URL
    resolution is swapped, so the view gets the hostile name as its room_name.
    """
    from unittest import mock

    from django.core.handlers.base import BaseHandler
    from django.urls import Resolver404, ResolverMatch, resolve

    probe = ctx.room("probe")
    path = f"/chat/{probe}/"
    try:
        match = resolve(path)
    except Resolver404:
        raise CheckFailed("http-404", path=path, expected=200, received=404) from None
    hostile = ResolverMatch(
        match.func,
        tuple(EVIL_ROOM if v == probe else v for v in match.args),
        {k: (EVIL_ROOM if v == probe else v) for k, v in match.kwargs.items()},
        match.url_name, match.app_names, match.namespaces, match.route,
    )

    def resolve_hostile(handler, request):
        request.resolver_match = hostile
        return hostile

    with mock.patch.object(BaseHandler, "resolve_request", resolve_hostile):
        response = get(ctx, path)
    html = response.content.decode(errors="replace")
    if EVIL_ROOM in html:
        raise CheckFailed("room-not-escaped", room=EVIL_ROOM)
    scripts = json_scripts(html)
    try:
        value = json.loads(scripts.get("room-name", "null"))
    except ValueError:
        value = None
    if value != EVIL_ROOM:
        raise CheckFailed("room-escaped-wrong", room=EVIL_ROOM, received=value)


# --- verdicts from outside the project's process -------------------------------------------
EVIL_IN_URL = '"><svg onload=alert(1)>&'  # no "/": a URL can carry it


@verifier("room-name-escaped")
def room_name_escaped_live(ctx):
    from urllib.parse import quote

    response = get(ctx, f"/chat/{quote(EVIL_IN_URL, safe='')}/")
    expect_status(ctx, response, "/chat/<evil>/")
    html = response.content.decode(errors="replace")
    if EVIL_IN_URL in html or "<svg onload" in html:
        raise CheckFailed("room-not-escaped", room=EVIL_IN_URL)
    try:
        value = json.loads(json_scripts(html).get("room-name", "null"))
    except ValueError:
        value = None
    if value != EVIL_IN_URL:
        raise CheckFailed("room-escaped-wrong", room=EVIL_IN_URL, received=value)


@verifier("asgi-serves-index")
def asgi_serves_index_live(ctx):
    index_page(ctx)  # through Daphne, that is the ASGI application


@verifier("project-loads")
def project_loads_live(ctx):
    """The project's server answers an unknown path, and not with a crash (a URLconf that does
    not import answers every request with a 500)."""
    response = get(ctx, f"/{ctx.room('nosuchpage')}/")
    if response.status_code >= 500:
        raise CheckFailed("http-status", path="/<unknown>/", expected=404, received=response.status_code)
