#!/usr/bin/env bash
# Cross-check unim's Tencent UserSig code against the OFFICIAL TLSSigAPIv2
# packages (PyPI and npm `tls-sig-api-v2`), installed here at run time into
# target/usersig-crosscheck/ (gitignored; nothing of them enters the repo).
#
#   bash .ci/usersig-crosscheck/run.sh
#
# Environment (all optional):
#   COUNT=50           random cases per source (PyPI, npm, unim)
#   SEED=N             reproduce a run (printed at the start)
#   UNIM_BIN=path      use this unim binary instead of building one
#   PYTHON=python3     the Python to run the PyPI package and the checks with
#   TLS_SIG_PY_VERSION=1.1, TLS_SIG_NPM_VERSION=1.0.2   package versions
#
# Needs python3 (with pip), node and npm, and cargo unless UNIM_BIN is set.
# Exits non-zero on any mismatch; the last line reads "crosscheck: N passed, N failed".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/target/usersig-crosscheck"
python="${PYTHON:-python3}"
py_version="${TLS_SIG_PY_VERSION:-1.1}"
npm_version="${TLS_SIG_NPM_VERSION:-1.0.2}"

need() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "usersig-crosscheck: '$1' is required but not installed" >&2
        exit 2
    }
}
need "$python"
need node
need npm
[ -n "${UNIM_BIN:-}" ] || need cargo

mkdir -p "$work"

# The official Python package, into a private directory (no venv needed;
# PYTHONPATH points at it). Reinstalled only when the version changes.
if [ ! -f "$work/py/.installed-$py_version" ]; then
    echo "usersig-crosscheck: installing PyPI tls-sig-api-v2==$py_version"
    rm -rf "$work/py"
    PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$python" -m pip install --quiet --no-input --target "$work/py" "tls-sig-api-v2==$py_version"
    touch "$work/py/.installed-$py_version"
fi

# The official npm package, into a private prefix.
if [ ! -f "$work/node/.installed-$npm_version" ]; then
    echo "usersig-crosscheck: installing npm tls-sig-api-v2@$npm_version"
    rm -rf "$work/node"
    mkdir -p "$work/node"
    npm install --prefix "$work/node" --no-save --no-package-lock --no-audit --no-fund --silent \
        "tls-sig-api-v2@$npm_version"
    touch "$work/node/.installed-$npm_version"
fi
node_pkg="$work/node/node_modules/tls-sig-api-v2/TLSSigAPIv2.js"
[ -f "$node_pkg" ] || {
    echo "usersig-crosscheck: $node_pkg not found after npm install" >&2
    exit 2
}

# Build unim once; every check calls the binary directly.
if [ -n "${UNIM_BIN:-}" ]; then
    unim="$UNIM_BIN"
else
    echo "usersig-crosscheck: building unim (release)"
    (cd "$root" && cargo build --quiet --release --bin unim)
    unim="${CARGO_TARGET_DIR:-$root/target}/release/unim"
fi

seed_args=()
[ -z "${SEED:-}" ] || seed_args=(--seed "$SEED")
exec "$python" "$here/crosscheck.py" --unim "$unim" --python-path "$work/py" --node-pkg "$node_pkg" \
    --count "${COUNT:-50}" "${seed_args[@]}"
