# Lines in the probe's results file that no probe writes: an unknown key, a status "PASS",
# a message that is no string, bytes that are not UTF-8, a line of 2 MB.
import json as _json
import sys as _sys

try:
    _job = _json.load(open(_sys.argv[1])) if _sys.argv[1:] and _sys.argv[1].endswith(".json") else None
except (OSError, ValueError):
    _job = None
if _job and "checks" in _job:
    with open(_job["events"], "ab") as _out:
        for _line in (
            {"event": "result", "id": "ws-echo", "status": "pass", "frobnicate": 1},
            {"event": "result", "id": "ws-echo", "status": "PASS"},
            {"event": "result", "id": "ws-echo", "status": "fail", "key": {"a": 1}},
            {"event": "result", "id": "no-such-check", "status": "pass"},
        ):
            _out.write(_json.dumps(_line).encode() + b"\n")
        _out.write(b'{"event": "result", "id": "ws-echo", "status": "\xff\xfe"}\n')
        _out.write(b'{"event": "result", "id": "' + b"x" * (2 << 20) + b'"}\n')
