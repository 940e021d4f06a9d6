# Create, delete and change files outside the submission.
import os as _os

for _action in (
    lambda: open("{CANARY}/pwned.txt", "w").write("{MARKER}"),
    lambda: _os.remove("{CANARY}/delete-me.txt"),
    lambda: open("{HOME}/.bashrc", "a").write("\n# {MARKER}\n"),
    lambda: open("/tmp/{MARKER}-outside.txt", "w").write("{MARKER}"),
):
    try:
        _action()
    except OSError:
        pass
