"""Verdicts read from the project's source without importing it (nothing of the submission runs):
who serves runserver, whether the routed consumers are async, where the test database lives.
A source too dynamic to read this way (INSTALLED_APPS built in a loop) gets no verdict here."""

from __future__ import annotations

import ast
from pathlib import Path

from checker.checks import verifier
from checker.project import SKIP_DIRS
from checker.result import CheckFailed

ASYNC_BASES = {"AsyncWebsocketConsumer", "AsyncJsonWebsocketConsumer", "AsyncConsumer"}
SYNC_BASES = {"WebsocketConsumer", "JsonWebsocketConsumer", "SyncConsumer"}


def undecidable(what: str) -> CheckFailed:
    return CheckFailed("source-undecidable", status="skip", what=what)


def uses_live_server(root: Path) -> bool:
    """Whether any of the project's tests runs a live server (ChannelsLiveServerTestCase):
    only then must the SQLite test database be a file (it refuses an in-memory one)."""
    for path in root.rglob("*.py"):
        if SKIP_DIRS & set(path.relative_to(root).parts) or "site-packages" in path.parts:
            continue
        try:
            if "ChannelsLiveServerTestCase" in path.read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue
    return False


def settings_path(ctx) -> Path:
    module = ctx.settings_module.replace(".", "/")
    for candidate in (ctx.root / f"{module}.py", ctx.root / module / "__init__.py"):
        if candidate.is_file():
            return candidate
    raise undecidable(ctx.settings_module)


def assignment(tree: ast.Module, name: str):
    """The value last assigned to `name` at the module's top level."""
    found = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            found = node.value
    return found


def sources(root: Path):
    for path in sorted(root.rglob("*.py")):
        if not SKIP_DIRS & set(path.relative_to(root).parts):
            try:
                yield path, ast.parse(path.read_text(encoding="utf-8", errors="replace"))
            except SyntaxError:
                continue


@verifier("daphne-runserver")
def daphne_runserver_source(ctx):
    tree = ast.parse(settings_path(ctx).read_text(encoding="utf-8", errors="replace"))
    try:
        apps = list(ast.literal_eval(assignment(tree, "INSTALLED_APPS")))
    except (ValueError, TypeError, SyntaxError):
        raise undecidable("INSTALLED_APPS") from None
    # Django takes a management command from the first app in INSTALLED_APPS that has it.
    if "daphne" not in apps:
        raise CheckFailed("daphne-missing", owner="django.contrib.staticfiles")
    if "django.contrib.staticfiles" in apps and apps.index("daphne") > apps.index("django.contrib.staticfiles"):
        raise CheckFailed("daphne-not-first", owner="django.contrib.staticfiles", position=apps.index("daphne") + 1)


@verifier("async-consumer")
def async_consumer_source(ctx):
    classes: dict[str, list[str]] = {}
    methods: dict[str, list[ast.AST]] = {}
    routed: set[str] = set()
    for _, tree in sources(ctx.root):
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                classes[node.name] = [getattr(b, "id", getattr(b, "attr", "")) for b in node.bases]
                methods[node.name] = [n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
            if isinstance(node, ast.Attribute) and node.attr == "as_asgi":
                target = node.value
                routed.add(getattr(target, "attr", getattr(target, "id", "")))

    def kind(name: str, seen=()) -> str:
        if name in ASYNC_BASES:
            return "async"
        if name in SYNC_BASES:
            return "sync"
        if name in seen or name not in classes:
            return "?"
        kinds = {kind(base, (*seen, name)) for base in classes[name]}
        return "async" if "async" in kinds else "sync" if "sync" in kinds else "?"

    consumers = {name: kind(name) for name in routed if name in classes}
    if not consumers:
        raise undecidable("the routed consumer")
    sync = [name for name, k in consumers.items() if k == "sync"]
    if sync:
        raise CheckFailed("consumer-sync", name=sync[0], base="WebsocketConsumer")
    for name in consumers:  # an async consumer whose handler is a plain def
        for klass in lineage(name, classes):
            for method in methods.get(klass, []):
                arguments = [a.arg for a in method.args.args]
                handler = method.name in HANDLER_NAMES or arguments[1:2] == ["event"]
                if handler and not method.name.startswith("_") and isinstance(method, ast.FunctionDef):
                    raise CheckFailed("consumer-handler-sync", name=name, method=method.name)


HANDLER_NAMES = {"connect", "disconnect", "receive", "receive_json", "websocket_connect"}


def lineage(name: str, classes: dict[str, list[str]]) -> list[str]:
    """The class and its bases of the project's own, nearest first."""
    found, queue = [], [name]
    while queue:
        current = queue.pop(0)
        if current in classes and current not in found:
            found.append(current)
            queue.extend(classes[current])
    return found


@verifier("test-db-safe")
def test_db_safe_source(ctx):
    tree = ast.parse(settings_path(ctx).read_text(encoding="utf-8", errors="replace"))
    databases = assignment(tree, "DATABASES")
    if not isinstance(databases, ast.Dict):
        raise undecidable("DATABASES")
    default = next((v for k, v in zip(databases.keys, databases.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "default"), None)
    if not isinstance(default, ast.Dict):
        raise undecidable("DATABASES['default']")
    fields = {k.value: v for k, v in zip(default.keys, default.values, strict=True) if isinstance(k, ast.Constant)}
    engine = fields.get("ENGINE")
    if isinstance(engine, ast.Constant) and "sqlite3" not in str(engine.value):
        return None  # other engines make test_<name> beside the real database
    test = fields.get("TEST")
    test_fields = {k.value: v for k, v in zip(test.keys, test.values, strict=True)
                   if isinstance(k, ast.Constant)} if isinstance(test, ast.Dict) else {}
    name = test_fields.get("NAME")
    if name is None or (isinstance(name, ast.Constant) and ":memory:" in str(name.value)):
        if not uses_live_server(ctx.root):
            return None  # in memory is safe, and enough without a live server
        raise CheckFailed("test-db-memory")
    if ast.dump(name) == ast.dump(fields.get("NAME", ast.Constant(None))):
        raise CheckFailed("test-db-same", name=ast.unparse(name))
