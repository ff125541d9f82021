"""Drives the emulator's Tencent group REST API with a third-party client.

The client is PyPI `tencentcloud-sdk-python-im` (TCIMClient, by Pinclr), which
signs its admin UserSig with the official `tls-sig-api-v2` package and sends
the group_open_http_svc calls as Tencent's docs show them. Its base URL is
pointed at the emulator; nothing else is changed.

    python3 crosscheck.py REST_URL SDKAPPID SECRET_KEY ADMIN SUFFIX

Prints one "ok NAME" or "FAIL NAME: ..." line per check.
"""

import sys

from tencentcloud_im.tcim_client import GroupMemObj, GroupObj, MessageText, TCIMClient

rest_url, sdkappid, key, admin, suffix = sys.argv[1:6]
client = TCIMClient(int(sdkappid), key, admin, tencent_url=rest_url + "/v4")
failures = 0


def check(name, expected, actual):
    global failures
    if expected == actual:
        print(f"ok {name}")
    else:
        failures += 1
        print(f"FAIL {name}: expected {expected!r}, got {actual!r}")


def body(response):
    if response is None:
        return {}
    check(f"HTTP 200 ({response.url.split('?')[0].rsplit('/', 1)[-1]})", 200, response.status_code)
    return response.json()


owner, m1, m2 = f"owner{suffix}", f"m1_{suffix}", f"m2_{suffix}"
for user in (owner, m1, m2):
    check(f"account_import {user}", "OK", body(client.add_single_user(user, user, ""))["ActionStatus"])

group = GroupObj(owner, "Public", "crosscheck", introdction="from PyPI", max_member_count=500,
                 mem_list=[GroupMemObj(m1)])
reply = body(client.create_group(group))
check("create_group: OK", (0, "OK"), (reply.get("ErrorCode"), reply.get("ActionStatus")))
gid = reply.get("GroupId", "")
check("create_group: @TGS# id", True, gid.startswith("@TGS#"))

info = body(client.get_group_detail([gid]))["GroupInfo"][0]
check("get_group_info: per-group ErrorCode", 0, info.get("ErrorCode"))
check("get_group_info: owner", owner, info.get("Owner_Account"))
check("get_group_info: MemberNum", 2, info.get("MemberNum"))
check("get_group_info: MaxMemberNum", 500, info.get("MaxMemberNum"))
check("get_group_info: Introduction", "from PyPI", info.get("Introduction"))

added = body(client.add_group_member(gid, [GroupMemObj(m2)], silence=0))
check("add_group_member: Result 1", [{"Member_Account": m2, "Result": 1}], added.get("MemberList"))
again = body(client.add_group_member(gid, [GroupMemObj(m2)]))
check("add_group_member again: Result 2", 2, again["MemberList"][0]["Result"])

page = body(client.get_group_mem_info_detail(gid, limit_count=2, offset=0))
check("get_group_member_info: MemberNum", 3, page.get("MemberNum"))
check("get_group_member_info: first page", [owner, m1], [m["Member_Account"] for m in page["MemberList"]])
check("get_group_member_info: roles", ["Owner", "Member"], [m["Role"] for m in page["MemberList"]])
page = body(client.get_group_mem_info_detail(gid, limit_count=2, offset=2))
check("get_group_member_info: second page", [m2], [m["Member_Account"] for m in page["MemberList"]])

sent = body(client.send_group_message(gid, [MessageText("hello group")], from_account=owner))
check("send_group_msg: OK", 0, sent.get("ErrorCode"))
check("send_group_msg: MsgSeq", 1, sent.get("MsgSeq"))
history = body(client.get_msg_in_group(gid, 20))
check("group_msg_get_simple: one message", 1, len(history.get("RspMsgList", [])))
check("group_msg_get_simple: text", "hello group",
      history["RspMsgList"][0]["MsgBody"][0]["MsgContent"]["Text"] if history.get("RspMsgList") else None)

check("forbid_send_msg (ShutUpTime)", 0, body(client.forbid_send_msg(gid, [m1], 60)).get("ErrorCode"))
muted = body(client.send_group_message(gid, [MessageText("shh")], from_account=m1))
check("send_group_msg muted: 10017", 10017, muted.get("ErrorCode"))

check("modify_group_member_info: Admin", 0, body(client.update_group_mem_info(gid, m2, role_type="Admin")).get("ErrorCode"))
roles = body(client.get_group_mem_info_detail(gid))
check("member roles", {owner: "Owner", m1: "Member", m2: "Admin"},
      {m["Member_Account"]: m["Role"] for m in roles.get("MemberList", [])})
check("change_group_owner", 0, body(client.change_group_owner(gid, m2)).get("ErrorCode"))
check("new owner", m2, body(client.get_group_detail([gid]))["GroupInfo"][0].get("Owner_Account"))

joined = body(client.get_joined_groups(m1))
check("get_joined_group_list", (1, gid), (joined.get("TotalCount"), joined["GroupIdList"][0]["GroupId"]))
check("delete_group_member", 0, body(client.delete_group_mem(gid, [m1])).get("ErrorCode"))
check("MemberNum after delete", 2, body(client.get_group_detail([gid]))["GroupInfo"][0].get("MemberNum"))

check("destroy_group", 0, body(client.delete_group(gid)).get("ErrorCode"))
gone = body(client.get_group_detail([gid]))
check("get_group_info after destroy: 10010", 10010, gone["GroupInfo"][0].get("ErrorCode"))

sys.exit(1 if failures else 0)
