#!/bin/sh
# Runs the official vendor web SDKs against the unim emulator (tencent.mjs, easemob.mjs, then
# netease.mjs; their shared options are described in harness.mjs).
# Needs Node >= 20 and npm; the SDKs are installed from npm here, at test time.
# The emulator binary must exist already (default target/debug/unim; override with UNIM_BIN,
# or UNIM_SDK_EMULATOR_CMD for any command that prints the JSON line and serves; that one
# command would serve every script, so set it only when running one script with node).
set -eu
cd "$(dirname "$0")"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "tests/sdk: node and npm are required" >&2
  exit 1
fi

log=$(mktemp)
if ! npm install --no-audit --no-fund --loglevel=error >"$log" 2>&1; then
  cat "$log" >&2
  rm -f "$log"
  echo "tests/sdk: npm install failed" >&2
  exit 1
fi
rm -f "$log"

# Each vendor's run goes ahead even when an earlier one failed; any failure fails the script.
status=0
node tencent.mjs || status=$?
node easemob.mjs || status=$?
node netease.mjs || status=$?
exit "$status"
