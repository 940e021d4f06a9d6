"""The one settings overlay: a project's own settings, then what the checker, a tool or the bench
changes for its run. The project's files are never edited.

It is a module written into a folder of the caller's, imported as DJANGO_SETTINGS_MODULE with
that folder first on the path. Whatever the overlay adds must not break a legal project (a
settings module without DATABASES is legal: Django's default is {}); an error in the overlay's
own code is caught and kept in CHECKER_OVERLAY_ERROR, so that it is never reported as the
student's.
"""

from __future__ import annotations

from pathlib import Path

MODULE = "checker_overlay_settings"
MEMORY_LAYER = {"BACKEND": "channels.layers.InMemoryChannelLayer"}

HEAD = '''"""Settings for this run: the project's own ({settings}), then the changes below."""
from {settings} import *  # noqa: F401,F403
'''

# Each SQLite database becomes a copy in CHECKER_TMP: the student's own file is never touched.
# A deep copy, so the project's settings module keeps its own values (test-db-safe reads them).
PRIVATE_DATABASES = '''
try:
    import copy as _copy
    import os as _os
    import shutil as _shutil

    DATABASES = _copy.deepcopy(globals().get("DATABASES", {}))
    for _alias, _db in DATABASES.items():
        _name = str(_db.get("NAME") or "")
        if "sqlite3" in str(_db.get("ENGINE", "")) and _name and ":memory:" not in _name:
            _private = _os.path.join(_os.environ["CHECKER_TMP"], _alias + ".sqlite3")
            if not _os.path.exists(_private) and _os.path.exists(_name):
                _shutil.copyfile(_name, _private)
            _db["NAME"] = _private
except Exception as _error:  # the checker's mistake, not the student's
    CHECKER_OVERLAY_ERROR = f"{type(_error).__name__}: {_error}"
'''


def source(settings: str, *, private_databases: bool = False, layer: dict | None = None,
           extra: str = "") -> str:
    text = HEAD.format(settings=settings)
    if private_databases:
        text += PRIVATE_DATABASES
    if layer is not None:
        text += f"\nCHANNEL_LAYERS = {{'default': {layer!r}}}\n"
    if extra:
        text += "\n" + extra.strip() + "\n"
    return text


def write(folder: Path, settings: str, **changes) -> str:
    """Write the overlay into `folder` and return its module name (put `folder` on the path)."""
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / f"{MODULE}.py").write_text(source(settings, **changes), encoding="utf-8")
    return MODULE
