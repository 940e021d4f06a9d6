# Print a gigabyte.
import sys as _sys

_chunk = "x" * (1 << 20) + "\n"
for _ in range(1024):
    _sys.stdout.write(_chunk)
