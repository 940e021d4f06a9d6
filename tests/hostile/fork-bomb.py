# Start a thousand processes that sleep (bounded: a thousand, for 30 s each).
import os as _os
import time as _time

_made = 0
for _ in range(1000):
    try:
        if _os.fork() == 0:
            _time.sleep(30)
            _os._exit(0)
        _made += 1
    except OSError:
        break
raise RuntimeError(f"{MARKER}: started {_made} processes")
