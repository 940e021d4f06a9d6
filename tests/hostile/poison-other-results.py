# A daemon that appends "fail" lines to every other probe's results it can find, for 20 s.
import glob as _glob
import json as _json
import os as _os
import time as _time

if _os.fork() == 0:
    _os.setsid()
    _line = _json.dumps({"event": "result", "id": "ws-echo", "status": "fail", "key": "ws-no-reply", "params": {}}) + "\n"
    _until = _time.monotonic() + 20
    while _time.monotonic() < _until:
        for _path in _glob.glob("/tmp/checker-*/**/events-*.jsonl", recursive=True) + _glob.glob("/tmp/checker-*/events-*.jsonl"):
            try:
                with open(_path, "a") as _f:
                    _f.write(_line)
            except OSError:
                pass
        _time.sleep(0.2)
    _os._exit(0)
