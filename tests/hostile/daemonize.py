# Leave a process behind that outlives the run (setsid, double fork), 120 s long.
import os as _os
import sys as _sys

if _os.fork() == 0:
    _os.setsid()
    if _os.fork() == 0:
        _os.execv(_sys.executable, [_sys.executable, "-c", "import time; time.sleep(120)", "{MARKER}"])
    _os._exit(0)
