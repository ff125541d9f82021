"""Drives the emulator's NetEase server API through the request signer of
NetEase's PyPI package `yunxin-mcp-server` (its `postImApi`).

The package posts every call to a fixed gateway URL, naming the API in an
`api` header; `requests.post` is wrapped here to send the same signed request
(headers and form data untouched, minus `api`) to the emulator instead.

Usage: pypi_signer.py REST_URL APP_KEY APP_SECRET ACCID
Prints one line per check: "ok <name>" or "FAIL <name>: ...".
"""

import datetime
import json
import sys

import yunxin_mcp.server as yunxin

rest_url, app_key, app_secret, accid = sys.argv[1:5]
real_post = yunxin.requests.post


def redirected_post(url, data=None, headers=None, **kwargs):
    headers = dict(headers or {})
    api = headers.pop("api")
    return real_post(rest_url + api, data=data, headers=headers, **kwargs)


yunxin.requests.post = redirected_post
yunxin.appkey = app_key
yunxin.secret = app_secret

failures = 0


def check(name, expected, actual):
    global failures
    if expected == actual:
        print(f"ok {name}")
    else:
        failures += 1
        print(f"FAIL {name}: expected {expected!r}, got {actual!r}")


lower = accid.lower()
reply = yunxin.postImApi({"accid": accid, "name": "Py Signer"}, "/user/create.action")
check("pypi create: code", 200, reply.get("code"))
check("pypi create: accid lower-cased", lower, reply.get("info", {}).get("accid"))
check("pypi create: token", 32, len(reply.get("info", {}).get("token", "")))

reply = yunxin.postImApi({"accids": json.dumps([accid])}, "/user/getUinfos.action")
check("pypi getUinfos: lists the user", [lower], [u.get("accid") for u in reply.get("uinfos", [])])

reply = yunxin.postImApi({"accid": lower, "needkick": "false"}, "/user/block.action")
check("pypi block: code", 200, reply.get("code"))
reply = yunxin.postImApi({"accids": json.dumps([lower])}, "/user/getUinfos.action")
check("pypi blocked: valid", False, reply.get("uinfos", [{}])[0].get("valid"))
reply = yunxin.postImApi({"accid": lower}, "/user/unblock.action")
check("pypi unblock: code", 200, reply.get("code"))

reply = yunxin.postImApi({"accid": lower}, "/user/refreshToken.action")
check("pypi refreshToken: new token", 32, len(reply.get("info", {}).get("token", "")))

# Its message tools: sendP2PMsg sends `body` as a Python dict's repr, which the
# server must read as {"msg": ...}; queryP2PMsgHistory pages by local time
# strings (second precision) with reverse 1.
peer = lower + "_peer"
reply = yunxin.postImApi({"accid": peer}, "/user/create.action")
check("pypi create peer: code", 200, reply.get("code"))
msgid = yunxin.sendP2PMsg(lower, peer, "hello from the PyPI client")
check("pypi sendP2PMsg: numeric msgid", True, isinstance(msgid, int) and msgid > 0)
second = yunxin.sendP2PMsg(peer, lower, "and back")
check("pypi sendP2PMsg: ids grow", True, isinstance(second, int) and second > msgid)
now = datetime.datetime.now()
fmt = "%Y-%m-%d %H:%M:%S"
start = (now - datetime.timedelta(minutes=5)).strftime(fmt)
end = (now + datetime.timedelta(minutes=5)).strftime(fmt)
history = yunxin.queryP2PMsgHistory(lower, peer, start, end, 10)
check(
    "pypi queryP2PMsgHistory: both, oldest first",
    [({"msg": "hello from the PyPI client"}, lower), ({"msg": "and back"}, peer)],
    [(m.get("body"), m.get("from_account")) for m in history],
)

# Its team tools: sendTeamMsg (ope 1, the body a dict's repr) and
# queryTeamMsgHistory, on a team made with the same signer.
reply = yunxin.postImApi(
    {"tname": "Py Team", "owner": lower, "members": json.dumps([peer]), "msg": "hi", "magree": "0", "joinmode": "0"},
    "/team/create.action",
)
check("pypi team/create: code", 200, reply.get("code"))
tid = reply.get("tid", "")
team_msgid = yunxin.sendTeamMsg(peer, tid, "hello team")
check("pypi sendTeamMsg: numeric msgid", True, isinstance(team_msgid, int) and team_msgid > second)
history = yunxin.queryTeamMsgHistory(lower, tid, start, end, 10)
check(
    "pypi queryTeamMsgHistory: the message",
    [({"msg": "hello team"}, peer)],
    [(m.get("body"), m.get("from_account")) for m in history],
)

# The same signer with a secret that is not the app's: refused as a bad CheckSum.
yunxin.secret = app_secret + "0"
reply = yunxin.postImApi({"accid": "x" + lower}, "/user/create.action")
check("pypi wrong secret: refused", (414, "checksum"), (reply.get("code"), reply.get("desc")))

sys.exit(1 if failures else 0)
