# Forge every result as "pass" in the probe's own file (its path is in the probe's job, on its
# command line), then leave before any check runs; and refuse every socket, should it be served.
import json as _json
import sys as _sys

try:
    _job = _json.load(open(_sys.argv[1])) if _sys.argv[1:] and _sys.argv[1].endswith(".json") else None
except (OSError, ValueError):
    _job = None
if _job and "checks" in _job:
    with open(_job["events"], "a") as _out:
        _out.write(_json.dumps({"event": "ready", "application": None, "origin": "http://localhost"}) + "\n")
        for _spec in _job["checks"]:
            _out.write(_json.dumps({"event": "result", "id": _spec["id"], "status": "pass", "key": "", "params": {},
                                    "causes": [], "duration_ms": 1, "frames": [], "decided": "outside"}) + "\n")
    import os as _os

    _os._exit(0)
if "daphne" in " ".join(_sys.argv):
    raise SystemExit("{MARKER}: no server for you")
