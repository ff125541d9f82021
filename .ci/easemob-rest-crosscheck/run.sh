#!/usr/bin/env bash
# Cross-check the emulator's Easemob group REST API (`chatgroups`) with a
# client nobody here wrote: the official web SDK `easemob-websdk` from npm,
# whose group calls go over these REST paths with the logged-in user's token.
# (No PyPI package can: `ease-restapi` 1.3 predates the chatgroups API and
# `huanxin` is not an Easemob client.) The SDK is installed at run time into
# target/easemob-rest-crosscheck/ (gitignored) and pointed at
# `unim emulator serve --vendor easemob`.
#
#   bash .ci/easemob-rest-crosscheck/run.sh
#
# Environment (optional): UNIM_BIN=path, the unim binary (default
# target/debug/unim, built if missing).
#
# Needs node (>= 20) and npm. Exits non-zero on any mismatch; the last line
# reads "crosscheck: N/M passed".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/target/easemob-rest-crosscheck"
sdk_version="4.21.1"

need() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "easemob-rest-crosscheck: '$1' is required but not installed" >&2
        exit 2
    }
}
need node
need npm

unim="${UNIM_BIN:-$root/target/debug/unim}"
if [ ! -x "$unim" ]; then
    need cargo
    echo "easemob-rest-crosscheck: building unim"
    (cd "$root" && cargo build --quiet --bin unim)
fi

if [ ! -f "$work/.installed-$sdk_version" ]; then
    echo "easemob-rest-crosscheck: installing npm easemob-websdk@$sdk_version"
    rm -rf "$work"
    mkdir -p "$work"
    (cd "$work" && npm init -y >/dev/null && npm install --no-audit --no-fund --loglevel=error \
        "easemob-websdk@$sdk_version" ws@8.23.0 xhr2@0.2.1 >/dev/null)
    touch "$work/.installed-$sdk_version"
fi

NODE_PATH="$work/node_modules" UNIM_BIN="$unim" node "$here/crosscheck.cjs"
