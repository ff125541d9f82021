#!/usr/bin/env bash
# Cross-check the emulator's Tencent group REST API (group_open_http_svc) with
# a client nobody here wrote: PyPI `tencentcloud-sdk-python-im` (TCIMClient),
# which signs with the official `tls-sig-api-v2` package. Both are installed
# at run time into target/tencent-rest-crosscheck/ (gitignored); the client's
# base URL is pointed at `unim emulator serve --vendor tencent`.
#
#   bash .ci/tencent-rest-crosscheck/run.sh
#
# Environment (all optional):
#   UNIM_BIN=path        the unim binary (default target/debug/unim, built if missing)
#   PYTHON=python3       the Python to run the client with
#
# Needs python3 with pip. Exits non-zero on any mismatch; the last line reads
# "crosscheck: N passed, N failed".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/target/tencent-rest-crosscheck"
python="${PYTHON:-python3}"
client_version="0.9.4"

need() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "tencent-rest-crosscheck: '$1' is required but not installed" >&2
        exit 2
    }
}
need "$python"

unim="${UNIM_BIN:-$root/target/debug/unim}"
if [ ! -x "$unim" ]; then
    need cargo
    echo "tencent-rest-crosscheck: building unim"
    (cd "$root" && cargo build --quiet --bin unim)
fi

if [ ! -f "$work/py/.installed-$client_version" ]; then
    echo "tencent-rest-crosscheck: installing PyPI tencentcloud-sdk-python-im==$client_version"
    rm -rf "$work/py"
    mkdir -p "$work"
    PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$python" -m pip install --quiet --no-input --target "$work/py" \
        "tencentcloud-sdk-python-im==$client_version" requests
    touch "$work/py/.installed-$client_version"
fi

# Start the emulator and read its one JSON line.
exec 3< <(exec "$unim" emulator serve --vendor tencent)
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true' EXIT
IFS= read -r -t 60 -u 3 line || {
    echo "tencent-rest-crosscheck: the emulator printed no endpoint line" >&2
    exit 2
}
field() { printf '%s' "$1" | grep -o "\"$2\":\"[^\"]*\"" | head -n1 | cut -d'"' -f4; }
field_raw() { printf '%s' "$1" | grep -o "\"$2\":[^,}]*" | head -n1 | cut -d: -f2-; }
rest_url="$(field "$line" rest_url)"
sdkappid="$(field_raw "$line" sdkappid)"
secret_key="$(field "$line" secret_key)"
admin="$(field "$line" admin)"
[ -n "$rest_url" ] && [ -n "$sdkappid" ] && [ -n "$secret_key" ] && [ -n "$admin" ] || {
    echo "tencent-rest-crosscheck: cannot read the endpoint line" >&2
    exit 2
}

suffix="$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
set +e
out="$(PYTHONPATH="$work/py" "$python" "$here/crosscheck.py" "$rest_url" "$sdkappid" "$secret_key" "$admin" "$suffix" 2>&1)"
status=$?
set -e
printf '%s\n' "$out" | grep -v '^ok ' >&2 || true
passed="$(printf '%s\n' "$out" | grep -c '^ok ' || true)"
failed="$(printf '%s\n' "$out" | grep -c '^FAIL' || true)"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    echo "FAIL the client script exited with $status" >&2
    failed=$((failed + 1))
fi
echo "crosscheck: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
