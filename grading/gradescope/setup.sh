#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder's image (Ubuntu 22.04 or
# 24.04, "apt-get update" already done), with the zip that pack.py made in /autograder/source:
#
#   source/setup.sh  source/run_autograder  source/autograder.py  source/autograder.toml
#   source/workbook/   the workbook's checker, course.toml, pyproject.toml
#
# It installs Python, redis-server and bubblewrap from Ubuntu's packages, the workbook into a
# venv of its own (/autograder/venv, editable: the checker reads its course.toml beside it),
# renders the last-resort results.json, and checks the reference step once, so that a broken
# image shows here, not on a student's submission.
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"
export DEBIAN_FRONTEND=noninteractive PIP_DISABLE_PIP_VERSION_CHECK=1

apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip redis-server bubblewrap ca-certificates
# run_autograder starts a Redis of its own for each submission: none may run from the image.
service redis-server stop >/dev/null 2>&1 || true

python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e "$SOURCE/workbook"

STEP="$("$VENV/bin/python" -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["step"])' "$SOURCE/autograder.toml" 2>/dev/null \
    || "$VENV/bin/python" -c 'import sys, tomli; print(tomli.load(open(sys.argv[1], "rb"))["step"])' "$SOURCE/autograder.toml")"

if [ "$STEP" -ge 7 ]; then
    # Step 07 on: the students' own tests drive a headless Chromium (Selenium). Ubuntu ships
    # Chromium only as a snap, which does not run in Gradescope's container: the own-tests
    # check then says "chromedriver not found". Install a Chromium and its chromedriver here
    # (Debian's packages, or a Chrome for Testing build) if your students' tests need it.
    "$VENV/bin/python" -m pip install --quiet selenium
    apt-get install -y --no-install-recommends chromium chromium-driver >/dev/null 2>&1 \
        || echo "setup.sh: no chromium package on this image; the students' browser tests will not run" >&2
fi

chmod +x "$SOURCE/run_autograder"
"$VENV/bin/python" "$SOURCE/autograder.py" --fallback > "$SOURCE/fallback-results.json"

# The reference step must pass here, with a Redis of its own, before any student is graded.
mkdir -p /tmp/autograder-selftest
REDIS_PORT=6390
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
    --pidfile /tmp/autograder-selftest/redis.pid
trap 'kill "$(cat /tmp/autograder-selftest/redis.pid)" 2>/dev/null || true' EXIT
sleep 0.5
if ! REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0" "$VENV/bin/python" -m checker check "$STEP" --lang en; then
    echo "setup.sh: WARNING: the reference step $STEP does not pass in this image (see above);" \
         "every submission will lose the same points" >&2
fi
