"""Walking a project's ASGI application: routers, middleware and the consumer a path reaches."""

from __future__ import annotations

from django.urls.exceptions import Resolver404

from checker.i18n import N_

# Attributes under which Channels' and Django's wrappers keep the application they wrap.
INNER_ATTRS = ("inner", "application", "app")


def protocol_app(application, protocol: str):
    """The application a ProtocolTypeRouter sends `protocol` to, or None."""
    mapping = getattr(application, "application_mapping", None)
    if mapping is None:
        return None
    return mapping.get(protocol)


def layers(app):
    """The wrappers from `app` down to the first URLRouter or consumer, outermost first."""
    seen = set()
    while app is not None and id(app) not in seen:
        seen.add(id(app))
        yield app
        if hasattr(app, "routes") or hasattr(app, "consumer_class"):
            return
        app = next((getattr(app, a) for a in INNER_ATTRS if getattr(app, a, None)), None)


def find(app, kind: type):
    return next((layer for layer in layers(app) if isinstance(layer, kind)), None)


def _router(app):
    """The first URLRouter (anything with routes) inside `app`, or None."""
    return next((layer for layer in layers(app) if hasattr(layer, "routes")), None)


def route_patterns(app) -> list[str]:
    """Every WebSocket route pattern, as written in routing.py, nested routers joined."""
    router = _router(app)
    if router is None:
        return []
    found = []
    for route in router.routes:
        pattern = str(route.pattern)
        inner = route_patterns(route.callback)
        found.extend(pattern + p for p in inner) if inner else found.append(pattern)
    return found


def class_routes(app) -> list[str]:
    """Names of consumer classes routed without .as_asgi(), anywhere in the routing."""
    import inspect

    router = _router(app)
    if router is None:
        return []
    found = []
    for route in router.routes:
        if inspect.isclass(route.callback):
            found.append(route.callback.__name__)
        else:
            found.extend(class_routes(route.callback))
    return found


def routed_consumer(app, path: str):
    """The consumer class that `path` reaches, resolved as URLRouter does it; None if none."""
    router = next((layer for layer in layers(app) if hasattr(layer, "routes")), None)
    if router is None:
        last = list(layers(app))[-1] if app is not None else None
        return getattr(last, "consumer_class", None)
    path = path.lstrip("/")
    for route in router.routes:
        try:
            match = route.pattern.match(path)
        except Resolver404:
            continue
        if match:
            found = routed_consumer(route.callback, match[0])
            if found is not None:
                return found
    return None


def route_mismatch(app, path: str) -> tuple[str | None, dict]:
    """Why no WebSocket route matches `path` ("/ws/chat/<room>/"), told by trying it the ways a
    route of a student's is usually off: a leading slash, no trailing slash, no ws/ prefix, or a
    converter or regex that rejects this room's name. (hint-* key, params), or (None, {})."""
    router = _router(app)
    if router is None:
        return None, {}
    bare = path.strip("/")  # "ws/chat/room1a2b/"
    room = bare.rsplit("/", 1)[-1]
    tries = [
        (N_("hint-route-leading-slash"), "/" + bare + "/"),
        (N_("hint-route-no-trailing-slash"), bare),
        (N_("hint-route-no-ws-prefix"), bare.removeprefix("ws/") + "/"),
        (N_("hint-route-rejects-name"), bare.rsplit("/", 1)[0] + "/lobby/"),
    ]
    for cause, candidate in tries:
        for route in router.routes:
            try:
                matched = route.pattern.match(candidate)
            except Resolver404:
                continue
            if matched:
                return cause, {"route": str(route.pattern), "room": room}
    return None, {}
