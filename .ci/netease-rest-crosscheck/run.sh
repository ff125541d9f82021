#!/usr/bin/env bash
# Cross-check the emulator's NetEase server API with requests signed by tools
# nobody here wrote:
#   1. openssl (or sha1sum) computes CheckSum = sha1(AppSecret + Nonce + CurTime)
#      and curl sends form-encoded calls;
#   2. the signer inside NetEase's own PyPI package `yunxin-mcp-server`
#      (postImApi: uuid Nonce, CheckSum, form body sent by `requests`),
#      installed at run time into target/netease-rest-crosscheck/ (gitignored),
#      its fixed gateway URL pointed at the emulator.
#
#   bash .ci/netease-rest-crosscheck/run.sh
#
# Environment (all optional):
#   UNIM_BIN=path        the unim binary (default target/debug/unim, built if missing)
#   SKIP_PY_SIGNER=1     skip the second (PyPI) signer
#   PYTHON=python3       the Python for the second signer (3.11 or newer)
#
# Needs curl and openssl or sha1sum (and python3 with pip for the second signer).
# Exits non-zero on any mismatch; the last line reads "crosscheck: N passed, N failed".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="$root/target/netease-rest-crosscheck"
python="${PYTHON:-python3}"
mcp_version="0.1.6"

need() {
    command -v "$1" >/dev/null 2>&1 || {
        echo "netease-rest-crosscheck: '$1' is required but not installed" >&2
        exit 2
    }
}
need curl
if command -v openssl >/dev/null 2>&1; then
    sha1() { printf '%s' "$1" | openssl dgst -sha1 -r | cut -d' ' -f1; }
else
    need sha1sum
    sha1() { printf '%s' "$1" | sha1sum | cut -d' ' -f1; }
fi

unim="${UNIM_BIN:-$root/target/debug/unim}"
if [ ! -x "$unim" ]; then
    need cargo
    echo "netease-rest-crosscheck: building unim"
    (cd "$root" && cargo build --quiet --bin unim)
fi

passed=0
failed=0
check() { # check NAME EXPECTED ACTUAL
    if [ "$2" = "$3" ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL $1: expected '$2', got '$3'" >&2
    fi
}

# The signer itself, on the fact sheet's vector.
check "sha1 test vector" cbc01ac73558f600cfe71a752814e66bc55dff75 "$(sha1 abcdef0123456789"4tgggergigwow323t23t"1443592222)"

# Start the emulator and read its one JSON line.
exec 3< <(exec "$unim" emulator serve --vendor netease)
emulator_pid=$!
trap 'kill "$emulator_pid" 2>/dev/null || true' EXIT
IFS= read -r -t 60 -u 3 line || {
    echo "netease-rest-crosscheck: the emulator printed no endpoint line" >&2
    exit 2
}
field() { printf '%s' "$1" | grep -o "\"$2\":\"[^\"]*\"" | head -n1 | cut -d'"' -f4; }
field_raw() { printf '%s' "$1" | grep -o "\"$2\":[^,}]*" | head -n1 | cut -d: -f2-; }
rest_url="$(field "$line" rest_url)"
app_key="$(field "$line" app_key)"
app_secret="$(field "$line" app_secret)"
[ -n "$rest_url" ] && [ -n "$app_key" ] && [ -n "$app_secret" ] || {
    echo "netease-rest-crosscheck: cannot read the endpoint line: $line" >&2
    exit 2
}

# call PATH CURTIME CHECKSUM_OVERRIDE FORM-FIELD... ; prints the reply body.
call() {
    local path="$1" cur_time="$2" override="$3"
    shift 3
    local nonce sum
    nonce="$(openssl rand -hex 16 2>/dev/null || od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
    sum="${override:-$(sha1 "$app_secret$nonce$cur_time")}"
    local args=()
    for kv in "$@"; do args+=(--data-urlencode "$kv"); done
    curl -sS -X POST "$rest_url/$path" \
        -H "AppKey: $app_key" -H "Nonce: $nonce" -H "CurTime: $cur_time" -H "CheckSum: $sum" \
        -H 'Content-Type: application/x-www-form-urlencoded;charset=utf-8' "${args[@]}"
}
now() { date +%s; }

suffix="$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
upper="CrossCheck_$suffix"
lower="$(printf '%s' "$upper" | tr 'A-Z' 'a-z')"

reply="$(call user/create.action "$(now)" "" "accid=$upper" "name=Cross Check")"
check "create: code" 200 "$(field_raw "$reply" code)"
check "create: accid lower-cased" "$lower" "$(field "$reply" accid)"
token="$(field "$reply" token)"
check "create: 32-hex token" 32 "$(printf '%s' "$token" | grep -cE '^[0-9a-f]{32}$' >/dev/null && echo 32 || echo "$token")"

reply="$(call user/create.action "$(now)" "" "accid=$lower")"
check "duplicate create: code" 414 "$(field_raw "$reply" code)"
check "duplicate create: desc" "already register" "$(field "$reply" desc)"

reply="$(call user/create.action "$(($(now) - 600))" "" "accid=stale$suffix")"
check "stale CurTime: code" 414 "$(field_raw "$reply" code)"
check "stale CurTime: desc" "CurTime is expired" "$(field "$reply" desc)"

reply="$(call user/create.action "$(now)" "0000000000000000000000000000000000000000" "accid=wrong$suffix")"
check "wrong CheckSum: code" 414 "$(field_raw "$reply" code)"
check "wrong CheckSum: desc" checksum "$(field "$reply" desc)"

reply="$(call user/getUinfos.action "$(now)" "" "accids=[\"$upper\",\"stale$suffix\"]")"
check "getUinfos: code" 200 "$(field_raw "$reply" code)"
check "getUinfos: lists the user" "$lower" "$(field "$reply" accid)"
check "getUinfos: only the user" 1 "$(printf '%s' "$reply" | grep -o '"accid"' | wc -l | tr -d ' ')"
check "getUinfos: valid" true "$(field_raw "$reply" valid)"

reply="$(call user/block.action "$(now)" "" "accid=$lower" "needkick=true" "kickNotifyExt=bye")"
check "block: code" 200 "$(field_raw "$reply" code)"
reply="$(call user/getUinfos.action "$(now)" "" "accids=[\"$lower\"]")"
check "blocked: valid" false "$(field_raw "$reply" valid)"
reply="$(call user/unblock.action "$(now)" "" "accid=$lower")"
check "unblock: code" 200 "$(field_raw "$reply" code)"
reply="$(call user/getUinfos.action "$(now)" "" "accids=[\"$lower\"]")"
check "unblocked: valid" true "$(field_raw "$reply" valid)"

# Messages: a text and a custom message by curl, then the pair's history and the session list.
reply="$(call user/create.action "$(now)" "" "accid=peer$suffix")"
check "create peer: code" 200 "$(field_raw "$reply" code)"
reply="$(call msg/sendMsg.action "$(now)" "" "from=$lower" "ope=0" "to=peer$suffix" "type=0" 'body={"msg":"hi from curl"}')"
check "sendMsg text: code" 200 "$(field_raw "$reply" code)"
msgid="$(field_raw "$reply" msgid)"
check "sendMsg: numeric msgid" yes "$(printf '%s' "$msgid" | grep -qE '^[0-9]+$' && echo yes || echo "$msgid")"
reply="$(call msg/sendMsg.action "$(now)" "" "from=peer$suffix" "ope=0" "to=$lower" "type=100" 'body={"card":7}' "pushcontent=a card")"
check "sendMsg custom: code" 200 "$(field_raw "$reply" code)"
reply="$(call msg/sendMsg.action "$(now)" "" "from=$lower" "ope=0" "to=nobody$suffix" "type=0" 'body={"msg":"x"}')"
check "sendMsg unknown to: code" 404 "$(field_raw "$reply" code)"
long="$(head -c 5001 /dev/zero | tr '\0' x)"
reply="$(call msg/sendMsg.action "$(now)" "" "from=$lower" "ope=0" "to=peer$suffix" "type=0" "body={\"msg\":\"$long\"}")"
check "sendMsg too long: code" 414 "$(field_raw "$reply" code)"
end_ms="$((($(now) + 60) * 1000))"
reply="$(call history/querySessionMsg.action "$(now)" "" "from=$lower" "to=peer$suffix" "begintime=0" "endtime=$end_ms" "limit=10" "reverse=1")"
check "querySessionMsg: code" 200 "$(field_raw "$reply" code)"
check "querySessionMsg: size" 2 "$(field_raw "$reply" size)"
check "querySessionMsg: oldest first" "$msgid" "$(field_raw "$reply" msgid)"
reply="$(call history/querySessionMsg.action "$(now)" "" "from=$lower" "to=peer$suffix" "begintime=5" "endtime=5")"
check "querySessionMsg bad time: desc" "bad time" "$(field "$reply" desc)"
reply="$(call history/querySessionList.action "$(now)" "" "accid=$lower" "minTimestamp=0" "maxTimestamp=$end_ms" "limit=10" "needLastMsg=1")"
check "querySessionList: code" 200 "$(field_raw "$reply" code)"
check "querySessionList: the peer" "peer$suffix" "$(field "$reply" accid)"

# Teams (netease.md 3.3): create, add, query, queryDetail, a team message (ope 1), kick, remove.
reply="$(call user/create.action "$(now)" "" "accid=third$suffix")"
check "create third: code" 200 "$(field_raw "$reply" code)"
reply="$(call user/create.action "$(now)" "" "accid=out$suffix")"
check "create outsider: code" 200 "$(field_raw "$reply" code)"
reply="$(call team/create.action "$(now)" "" "tname=Cross Team" "owner=$lower" "members=[\"peer$suffix\",\"ghost$suffix\"]" "msg=welcome" "magree=0" "joinmode=5")"
check "team/create bad joinmode: code" 414 "$(field_raw "$reply" code)"
reply="$(call team/create.action "$(now)" "" "tname=Cross Team" "owner=$lower" "members=[\"peer$suffix\",\"ghost$suffix\"]" "msg=welcome" "magree=0" "joinmode=0" "intro=from curl")"
check "team/create: code" 200 "$(field_raw "$reply" code)"
tid="$(field "$reply" tid)"
check "team/create: tid is a numeric string" yes "$(printf '%s' "$tid" | grep -qE '^[0-9]{6,}$' && echo yes || echo "$reply")"
check "team/create: faccid lists the unknown accid" yes "$(printf '%s' "$reply" | grep -q "\"faccid\":{\"accid\":\[\"ghost$suffix\"\]" && echo yes || echo "$reply")"
reply="$(call team/add.action "$(now)" "" "tid=$tid" "owner=$lower" "members=[\"third$suffix\"]" "magree=0" "msg=join us")"
check "team/add: code" 200 "$(field_raw "$reply" code)"
reply="$(call team/add.action "$(now)" "" "tid=$tid" "owner=$lower" "members=[\"third$suffix\"]" "magree=0" "msg=join us")"
check "team/add already in team: code" 809 "$(field_raw "$reply" code)"
reply="$(call team/query.action "$(now)" "" "tids=[\"$tid\"]" "ope=1")"
check "team/query: code" 200 "$(field_raw "$reply" code)"
check "team/query: size" 3 "$(field_raw "$reply" size)"
check "team/query: owner" "$lower" "$(field "$reply" owner)"
check "team/query: joinmode" 0 "$(field_raw "$reply" joinmode)"
reply="$(call team/queryDetail.action "$(now)" "" "tid=$tid")"
check "team/queryDetail: code" 200 "$(field_raw "$reply" code)"
check "team/queryDetail: owner object" "$lower" "$(printf '%s' "$reply" | grep -o '"owner":{"accid":"[^"]*"' | cut -d'"' -f6)"
check "team/queryDetail: intro" "from curl" "$(field "$reply" intro)"
reply="$(call msg/sendMsg.action "$(now)" "" "from=peer$suffix" "ope=1" "to=$tid" "type=0" 'body={"msg":"hi team"}')"
check "sendMsg ope 1: code" 200 "$(field_raw "$reply" code)"
team_msgid="$(field_raw "$reply" msgid)"
check "sendMsg ope 1: numeric msgid" yes "$(printf '%s' "$team_msgid" | grep -qE '^[0-9]+$' && echo yes || echo "$reply")"
reply="$(call msg/sendMsg.action "$(now)" "" "from=out$suffix" "ope=1" "to=$tid" "type=0" 'body={"msg":"let me in"}')"
check "sendMsg ope 1 not in team: code" 804 "$(field_raw "$reply" code)"
reply="$(call history/queryTeamMsg.action "$(now)" "" "tid=$tid" "accid=third$suffix" "begintime=0" "endtime=$end_ms" "limit=10")"
check "queryTeamMsg: size" 1 "$(field_raw "$reply" size)"
check "queryTeamMsg: the message" "$team_msgid" "$(field_raw "$reply" msgid)"
reply="$(call team/kick.action "$(now)" "" "tid=$tid" "owner=$lower" "member=third$suffix")"
check "team/kick: code" 200 "$(field_raw "$reply" code)"
reply="$(call team/kick.action "$(now)" "" "tid=$tid" "owner=$lower" "member=third$suffix")"
check "team/kick not in team: code" 804 "$(field_raw "$reply" code)"
reply="$(call team/remove.action "$(now)" "" "tid=$tid" "owner=peer$suffix")"
check "team/remove by a member: code" 802 "$(field_raw "$reply" code)"
reply="$(call team/remove.action "$(now)" "" "tid=$tid" "owner=$lower")"
check "team/remove: code" 200 "$(field_raw "$reply" code)"
reply="$(call team/queryDetail.action "$(now)" "" "tid=$tid")"
check "team/queryDetail after remove: code" 803 "$(field_raw "$reply" code)"

# The second signer: NetEase's PyPI package, redirected to the emulator.
if [ "${SKIP_PY_SIGNER:-}" != 1 ]; then
    need "$python"
    if [ ! -f "$work/py/.installed-$mcp_version" ]; then
        echo "netease-rest-crosscheck: installing PyPI yunxin-mcp-server==$mcp_version"
        rm -rf "$work/py"
        mkdir -p "$work"
        # mcp 2.x renamed the FastMCP class the package imports.
        PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
            "$python" -m pip install --quiet --no-input --target "$work/py" \
            "yunxin-mcp-server==$mcp_version" "mcp>=1.6,<2" 2>&1 | grep -v "dependency resolver\|requires\|incompatible" >&2 || true
        "$python" -c "import sys; sys.path.insert(0, '$work/py'); import yunxin_mcp.server" || {
            echo "netease-rest-crosscheck: yunxin-mcp-server did not install" >&2
            exit 2
        }
        touch "$work/py/.installed-$mcp_version"
    fi
    set +e
    out="$(PYTHONPATH="$work/py" "$python" "$here/pypi_signer.py" "$rest_url" "$app_key" "$app_secret" "PySigner_$suffix")"
    status=$?
    set -e
    [ -z "$out" ] || printf '%s\n' "$out" | grep '^FAIL' >&2 || true
    py_passed="$(printf '%s\n' "$out" | grep -c '^ok' || true)"
    py_failed="$(printf '%s\n' "$out" | grep -c '^FAIL' || true)"
    passed=$((passed + py_passed))
    failed=$((failed + py_failed))
    if [ "$status" -ne 0 ] && [ "$py_failed" -eq 0 ]; then
        echo "FAIL the PyPI signer's script exited with $status" >&2
        failed=$((failed + 1))
    fi
fi

echo "crosscheck: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
