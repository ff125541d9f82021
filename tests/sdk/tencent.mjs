// Tencent Cloud Chat web SDK (@tencentcloud/chat) as a test peer of the unim emulator.
//
// Starts `unim emulator serve --vendor tencent`, reads its one-line JSON connection info
// ({"vendor":"tencent","ws_url":...,"sdkappid":...,"secret_key":...}), runs named checks with
// the official SDK under Node, stops the emulator, and exits 0 only if every check passed.
//
// Environment: see harness.mjs (UNIM_BIN, UNIM_SDK_EMULATOR_CMD, UNIM_SDK_CHECKS,
// UNIM_SDK_VERBOSE, UNIM_SDK_TIMEOUT_MS).
//
// Protocol facts behind these checks: docs/protocols/tencent.md.

import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import {
  CheckError, EVENT_TIMEOUT_MS, RUN_ID, VERBOSE, capture, describeErr, eventLog, eventually, fail, isUnimConnected,
  isUnimText, main,
  safeJson, textBothWays, unimPeer, withTimeout,
} from './harness.mjs';

const require = createRequire(import.meta.url);
const KICK_TIMEOUT_MS = 25000; // the SDK waits up to 15 s for its wslogout before KICKED_OUT

require('./polyfill.js');
const TLSSigAPIv2 = require('tls-sig-api-v2');

// One SDK instance per module copy: TencentCloudChat.create() returns the same instance for the
// same SDKAppID, so every simulated user gets a fresh copy of the bundle.
function freshSdk() {
  const id = require.resolve('@tencentcloud/chat');
  delete require.cache[id];
  return require('@tencentcloud/chat');
}
const TYPES = freshSdk().TYPES;

const uid = (name) => `${name}_${RUN_ID}`;

// ---------------------------------------------------------------------------------------------
// SDK clients

const WATCHED = ['SDK_READY', 'SDK_NOT_READY', 'KICKED_OUT', 'NET_STATE_CHANGE', 'MESSAGE_RECEIVED', 'ERROR'];

function makeEnv(conn) {
  const sigApi = new TLSSigAPIv2.Api(Number(conn.sdkappid), String(conn.secret_key));
  const wrongKey = randomBytes(32).toString('hex');
  const wrongApi = new TLSSigAPIv2.Api(Number(conn.sdkappid), wrongKey === conn.secret_key ? '0'.repeat(64) : wrongKey);
  const clients = [];

  function client(userID, label = userID) {
    const TCC = freshSdk();
    const chat = TCC.create({ SDKAppID: Number(conn.sdkappid), proxyServer: conn.ws_url });
    chat.setLogLevel(VERBOSE ? 0 : 1);
    // MESSAGE_RECEIVED carries a list of messages; the other events one value.
    const log = eventLog(WATCHED, label, { lists: ['MESSAGE_RECEIVED'], quiet: ['MESSAGE_RECEIVED', 'NET_STATE_CHANGE'] });
    for (const name of WATCHED) chat.on(TCC.EVENT[name], (ev) => log.record(name, ev ? ev.data : undefined));
    const c = {
      userID,
      label,
      chat,
      events: log.events,
      count: log.count,
      waitFor: log.waitFor,
      login(userSig) {
        return withTimeout(chat.login({ userID, userSig }), EVENT_TIMEOUT_MS, `${label}: login()`);
      },
      async loginReady() {
        const ready = c.waitFor('SDK_READY');
        ready.catch(() => {});
        try {
          await c.login(sigApi.genUserSig(userID, 86400));
        } catch (e) {
          fail(`${label}: login() rejected: ${describeErr(e)}`);
        }
        await ready;
      },
      async sendText(to, text) {
        const msg = chat.createTextMessage({ to, conversationType: TYPES.CONV_C2C, payload: { text } });
        let res;
        try {
          res = await withTimeout(chat.sendMessage(msg), EVENT_TIMEOUT_MS, `${label}: sendMessage()`);
        } catch (e) {
          fail(`${label}: sendMessage to ${to} failed: ${describeErr(e)}`);
        }
        const m = res && res.data && res.data.message;
        if (!m || m.status !== 'success') fail(`${label}: sendMessage resolved without a successful message: ${safeJson(m && { status: m.status })}`);
        return m;
      },
    };
    clients.push(c);
    return c;
  }

  async function cleanup() {
    await Promise.all(clients.splice(0).map((c) =>
      withTimeout(Promise.resolve().then(() => c.chat.destroy()), 5000, `${c.label}: destroy()`)
        .catch((e) => { if (!(e && e.code === 2024)) capture('harness', `${c.label}: cleanup: ${describeErr(e)}`); })));
  }

  // The server REST API, called as a third-party app server would: the admin's UserSig from the
  // official tls-sig-api-v2 package, the documented URL and JSON bodies.
  async function rest(pathName, body) {
    const admin = conn.admin || 'administrator';
    const q = `sdkappid=${conn.sdkappid}&identifier=${encodeURIComponent(admin)}`
      + `&usersig=${encodeURIComponent(sigApi.genUserSig(admin, 86400))}&random=${Math.floor(Math.random() * 4294967295)}&contenttype=json`;
    const res = await withTimeout(fetch(`${conn.rest_url}/v4/${pathName}?${q}`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
    }), EVENT_TIMEOUT_MS, `REST ${pathName}`);
    const json = await res.json();
    if (json.ErrorCode !== 0) fail(`REST ${pathName} failed: ${safeJson(json)}`);
    return json;
  }

  // Accounts created by the app server (account_import), one call each.
  async function importUsers(...ids) {
    for (const id of ids) await rest('im_open_login_svc/account_import', { UserID: id });
  }

  return {
    client,
    cleanup,
    rest,
    importUsers,
    conn,
    sig: (u) => sigApi.genUserSig(u, 86400),
    wrongKeySig: (u) => wrongApi.genUserSig(u, 86400),
  };
}

async function conversation(c, peer) {
  const res = await c.chat.getConversationList();
  return res.data.conversationList.find((x) => x.conversationID === `C2C${peer}`);
}

async function restSend(env, from, to, text, random) {
  return env.rest('openim/sendmsg', {
    SyncOtherMachine: 2, From_Account: from, To_Account: to, MsgRandom: random,
    MsgBody: [{ MsgType: 'TIMTextElem', MsgContent: { Text: text } }],
  });
}

async function serverUnread(env, user, peer) {
  const res = await env.rest('openim/get_c2c_unread_msg_num', { To_Account: user, Peer_Account: [peer] });
  return res.C2CUnreadMsgNumList[0].C2CUnreadMsgNum;
}

// A `unim login --vendor tencent` peer of an SDK user.
function tencentPeer(env, user) {
  return unimPeer('tencent', ['--user', user, '--ws-url', env.conn.ws_url, '--sdkappid', String(env.conn.sdkappid), '--usersig', env.sig(user)]);
}

const isText = (text) => (m) => m && m.payload && m.payload.text === text;

function expectIncomingText(m, { from, to, text }) {
  const problems = [];
  if (m.from !== from) problems.push(`from=${safeJson(m.from)} (want ${from})`);
  if (m.to !== to) problems.push(`to=${safeJson(m.to)} (want ${to})`);
  if (m.type !== TYPES.MSG_TEXT) problems.push(`type=${safeJson(m.type)} (want ${TYPES.MSG_TEXT})`);
  if (m.conversationID !== `C2C${from}`) problems.push(`conversationID=${safeJson(m.conversationID)} (want C2C${from})`);
  if (m.flow !== 'in') problems.push(`flow=${safeJson(m.flow)} (want in)`);
  if (!m.payload || m.payload.text !== text) problems.push('text differs');
  if (problems.length) fail(`message "${text}" arrived with ${problems.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Checks

const CHECKS = [
  {
    name: 'tencent.login',
    async run(env) {
      const a = env.client(uid('login_alice'), 'alice');
      const ready = a.waitFor('SDK_READY');
      ready.catch(() => {});
      let res;
      try {
        res = await a.login(env.sig(a.userID));
      } catch (e) {
        fail(`login() rejected: ${describeErr(e)}`);
      }
      if (res && res.data && res.data.repeatLogin) fail('login() answered repeatLogin for a fresh instance');
      await ready;
      if (!a.chat.isReady()) fail('SDK_READY fired but isReady() is false');
      return `login resolved, SDK_READY fired`;
    },
  },
  {
    name: 'tencent.login_bad_usersig',
    async run(env) {
      const a = env.client(uid('badsig_alice'), 'alice(bad sig)');
      let res;
      let err;
      try {
        res = await a.login(env.wrongKeySig(a.userID));
      } catch (e) {
        if (e instanceof CheckError) throw e;
        err = e;
      }
      if (!err) fail(`login() with a UserSig signed by a wrong key resolved: ${safeJson(res && res.data)}`);
      if (a.count('SDK_READY')) fail('SDK_READY fired although login() was rejected');
      if (err.code !== 70009) fail(`login() rejected with code ${err.code} "${err.message}", expected 70009 (signature verification failed)`);
      return `rejected with code ${err.code} "${err.message}"`;
    },
  },
  {
    name: 'tencent.c2c_text',
    async run(env) {
      const alice = env.client(uid('c2c_alice'), 'alice');
      const bob = env.client(uid('c2c_bob'), 'bob');
      await Promise.all([alice.loginReady(), bob.loginReady()]);
      await textBothWays(alice, bob, {
        event: 'MESSAGE_RECEIVED',
        addr: (c) => c.userID,
        isText,
        expect: (m, { from, to, text }) => expectIncomingText(m, { from, to, text }),
      });
      return 'alice -> bob and bob -> alice, each received once';
    },
  },
  {
    name: 'tencent.kicked_by_second_login',
    async run(env) {
      const user = uid('kick_alice');
      const first = env.client(user, 'alice#1');
      await first.loginReady();
      const kicked = first.waitFor('KICKED_OUT', () => true, KICK_TIMEOUT_MS);
      kicked.catch(() => {});

      const second = env.client(user, 'alice#2');
      await second.loginReady();
      const ev = await kicked;
      const type = ev && ev.type;
      const allowed = [TYPES.KICKED_OUT_MULT_ACCOUNT, TYPES.KICKED_OUT_MULT_DEVICE];
      if (!allowed.includes(type)) fail(`first instance got KICKED_OUT with type ${safeJson(type)}, expected one of ${allowed.join(', ')}`);

      // The second instance must still be served: it sends to a peer that receives the message.
      const peer = env.client(uid('kick_peer'), 'peer');
      await peer.loginReady();
      const text = `still here ${randomBytes(4).toString('hex')}`;
      await second.sendText(peer.userID, text);
      const got = await peer.waitFor('MESSAGE_RECEIVED', isText(text));
      expectIncomingText(got, { from: user, to: peer.userID, text });

      const kicks1 = first.count('KICKED_OUT');
      if (kicks1 !== 1) fail(`first instance got KICKED_OUT ${kicks1} times`);
      if (second.count('KICKED_OUT')) fail(`second instance got KICKED_OUT ${safeJson(second.events.KICKED_OUT)}`);
      if (second.count('SDK_NOT_READY')) fail('second instance got SDK_NOT_READY');
      if (!second.chat.isReady()) fail('second instance is no longer ready');
      if (first.chat.isReady()) fail('first instance still reports ready after KICKED_OUT');
      return `KICKED_OUT type ${type}; second instance still ready and sending`;
    },
  },
  {
    name: 'tencent.logout',
    async run(env) {
      const a = env.client(uid('logout_alice'), 'alice');
      await a.loginReady();
      const notReady = a.waitFor('SDK_NOT_READY');
      notReady.catch(() => {});
      try {
        await withTimeout(a.chat.logout(), EVENT_TIMEOUT_MS, 'logout()');
      } catch (e) {
        fail(`logout() failed: ${describeErr(e)}`);
      }
      await notReady;
      if (a.chat.isReady()) fail('still ready after logout()');
      // A logged-out user logs in again on the same instance.
      await a.loginReady();
      return 'logout resolved, SDK_NOT_READY fired, login again worked';
    },
  },
  {
    name: 'tencent.offline_messages',
    async run(env) {
      const alice = uid('off_alice');
      const bob = env.client(uid('off_bob'), 'bob');
      await env.importUsers(alice, bob.userID);
      const nonce = randomBytes(4).toString('hex');
      const texts = [1, 2, 3].map((i) => `offline ${i} ${nonce}`);
      for (let i = 0; i < texts.length; i++) await restSend(env, alice, bob.userID, texts[i], 1000 + i);

      await bob.loginReady();
      const conv = await eventually(async () => {
        const c = await conversation(bob, alice);
        return c && c.unreadCount === 3 ? c : undefined;
      }, `bob's conversation with alice showing 3 unread (now ${safeJson(((await conversation(bob, alice)) || {}).unreadCount)})`);
      const last = conv.lastMessage && conv.lastMessage.payload && conv.lastMessage.payload.text;
      if (last !== texts[2]) fail(`the conversation's last message is ${safeJson(last)}, expected "${texts[2]}"`);
      const res = await withTimeout(bob.chat.getMessageList({ conversationID: `C2C${alice}` }), EVENT_TIMEOUT_MS, 'getMessageList');
      const got = res.data.messageList.map((m) => m.payload && m.payload.text).filter((t) => t && t.endsWith(nonce));
      if (safeJson(got) !== safeJson(texts)) fail(`getMessageList has ${safeJson(got)}, expected ${safeJson(texts)} (each once, in order)`);
      for (const t of texts) {
        const n = bob.count('MESSAGE_RECEIVED', isText(t));
        if (n > 1) fail(`MESSAGE_RECEIVED fired ${n} times for "${t}"`);
      }
      return 'three messages sent by REST while offline: listed once each, in order, 3 unread';
    },
  },
  {
    name: 'tencent.conversation_list',
    async run(env) {
      const alice = env.client(uid('conv_alice'), 'alice');
      const bobID = uid('conv_bob');
      await env.importUsers(bobID);
      await alice.loginReady();
      const nonce = randomBytes(4).toString('hex');
      await alice.sendText(bobID, `first ${nonce}`);
      await alice.sendText(bobID, `second ${nonce}`);
      const mine = await eventually(async () => conversation(alice, bobID), "alice's conversation with bob");
      if (mine.unreadCount !== 0) fail(`the sender's conversation shows ${mine.unreadCount} unread`);
      if (await serverUnread(env, bobID, alice.userID) !== 2) fail('the server does not count 2 unread for bob');

      const bob = env.client(bobID, 'bob');
      await bob.loginReady();
      const conv = await eventually(async () => {
        const c = await conversation(bob, alice.userID);
        return c && c.unreadCount === 2 ? c : undefined;
      }, "bob's conversation with alice showing 2 unread");
      const last = conv.lastMessage && conv.lastMessage.payload && conv.lastMessage.payload.text;
      if (last !== `second ${nonce}`) fail(`the last message shown is ${safeJson(last)}`);
      return 'both sides list the conversation; the receiver sees 2 unread';
    },
  },
  {
    name: 'tencent.mark_read',
    async run(env) {
      const aliceID = uid('read_alice');
      const bob = env.client(uid('read_bob'), 'bob');
      await env.importUsers(aliceID, bob.userID);
      await bob.loginReady();
      const nonce = randomBytes(4).toString('hex');
      await restSend(env, aliceID, bob.userID, `read me ${nonce}`, 7);
      await bob.waitFor('MESSAGE_RECEIVED', isText(`read me ${nonce}`));
      await eventually(async () => {
        const c = await conversation(bob, aliceID);
        return c && c.unreadCount === 1 ? c : undefined;
      }, 'one unread message');
      if (await serverUnread(env, bob.userID, aliceID) !== 1) fail('the server does not count the message unread');
      try {
        await withTimeout(bob.chat.setMessageRead({ conversationID: `C2C${aliceID}` }), EVENT_TIMEOUT_MS, 'setMessageRead');
      } catch (e) {
        fail(`setMessageRead failed: ${describeErr(e)}`);
      }
      const n = await serverUnread(env, bob.userID, aliceID);
      if (n !== 0) fail(`after setMessageRead the server still counts ${n} unread`);
      const c = await conversation(bob, aliceID);
      if (!c || c.unreadCount !== 0) fail(`after setMessageRead the SDK shows ${safeJson(c && c.unreadCount)} unread`);
      return 'setMessageRead cleared the count on the SDK and on the server';
    },
  },
  {
    name: 'tencent.unim_peer',
    async run(env) {
      const alice = env.client(uid('peer_alice'), 'alice');
      const peerID = uid('peer_unim');
      await env.importUsers(peerID);
      const peer = tencentPeer(env, peerID);
      try {
        await alice.loginReady();
        const nonce = randomBytes(4).toString('hex');
        const toPeer = `sdk to unim ${nonce}`;
        await alice.sendText(peerID, toPeer);
        const ev = await peer.waitFor(isUnimText(toPeer), `"${toPeer}"`);
        if (ev.message.from !== alice.userID) fail(`unim saw the message from ${safeJson(ev.message.from)}`);
        const toSdk = `unim to sdk ${nonce}`;
        peer.command(`send ${alice.userID} ${toSdk}`);
        const sent = await peer.waitFor((j) => j.sent || j.error, 'the send result');
        if (!sent.sent) fail(`unim could not send: ${safeJson(sent.error)}`);
        const got = await alice.waitFor('MESSAGE_RECEIVED', isText(toSdk));
        expectIncomingText(got, { from: peerID, to: alice.userID, text: toSdk });
        const n = peer.lines.filter(isUnimText(toPeer)).length;
        if (n !== 1) fail(`unim announced "${toPeer}" ${n} times`);
        return 'SDK -> unim session and unim session -> SDK, once each';
      } finally {
        await peer.stop();
      }
    },
  },
  {
    name: 'tencent.group',
    async run(env) {
      // alice (SDK) owns a Public FreeAccess group; bob and dave (SDK) and carol (a unim session)
      // are added; a group message reaches each once; dave is removed; the group is dismissed.
      const alice = env.client(uid('grp_alice'), 'alice');
      const bob = env.client(uid('grp_bob'), 'bob');
      const dave = env.client(uid('grp_dave'), 'dave');
      const carolID = uid('grp_carol');
      await env.importUsers(alice.userID, bob.userID, dave.userID, carolID);
      const carol = tencentPeer(env, carolID);
      try {
        await Promise.all([alice.loginReady(), bob.loginReady(), dave.loginReady()]);
        await carol.waitFor(isUnimConnected, 'connected');
        const created = await withTimeout(alice.chat.createGroup({
          type: TYPES.GRP_PUBLIC, name: 'sdk group', joinOption: TYPES.JOIN_OPTIONS_FREE_ACCESS,
        }), EVENT_TIMEOUT_MS, 'createGroup');
        const groupID = created.data.group.groupID;
        if (!groupID || !groupID.startsWith('@TGS#')) fail(`createGroup gave the id ${safeJson(groupID)}`);
        const added = await withTimeout(alice.chat.addGroupMember({ groupID, userIDList: [bob.userID, dave.userID, carolID] }),
          EVENT_TIMEOUT_MS, 'addGroupMember');
        const ok = added.data.successUserIDList || [];
        if (ok.length !== 3) fail(`addGroupMember added ${safeJson(ok)}`);
        await carol.waitFor((j) => j.event === 'group' && j.group_event === 'member_joined' && j.user === carolID, 'carol added');

        const text = `hello group ${randomBytes(4).toString('hex')}`;
        const msg = alice.chat.createTextMessage({ to: groupID, conversationType: TYPES.CONV_GROUP, payload: { text } });
        try {
          await withTimeout(alice.chat.sendMessage(msg), EVENT_TIMEOUT_MS, 'sendMessage to the group');
        } catch (e) {
          fail(`sendMessage to the group failed: ${describeErr(e)}`);
        }
        const got = await bob.waitFor('MESSAGE_RECEIVED', isText(text));
        if (got.conversationID !== `GROUP${groupID}` || got.from !== alice.userID || got.flow !== 'in') {
          fail(`bob got the group message as ${safeJson({ c: got.conversationID, from: got.from, flow: got.flow })}`);
        }
        await dave.waitFor('MESSAGE_RECEIVED', isText(text));
        const ev = await carol.waitFor(isUnimText(text), 'the group message');
        if (safeJson(ev.message.conversation) !== safeJson({ kind: 'group', peer: groupID })) {
          fail(`unim saw the group message in ${safeJson(ev.message.conversation)}`);
        }

        const isTip = (op) => (m) => m.type === TYPES.MSG_GRP_TIP && m.payload && m.payload.operationType === op;
        const isNotice = (op) => (m) => m.type === TYPES.MSG_GRP_SYS_NOTICE && m.payload && m.payload.operationType === op;
        await withTimeout(alice.chat.deleteGroupMember({ groupID, userIDList: [dave.userID] }), EVENT_TIMEOUT_MS, 'deleteGroupMember');
        await dave.waitFor('MESSAGE_RECEIVED', isNotice(4));
        const tip = await bob.waitFor('MESSAGE_RECEIVED', isTip(TYPES.GRP_TIP_MBR_KICKED_OUT));
        if (safeJson(tip.payload.userIDList) !== safeJson([dave.userID])) fail(`the kick tip names ${safeJson(tip.payload.userIDList)}`);
        await carol.waitFor((j) => j.event === 'group' && j.group_event === 'member_removed' && j.user === dave.userID, 'dave removed');

        await withTimeout(alice.chat.dismissGroup(groupID), EVENT_TIMEOUT_MS, 'dismissGroup');
        await bob.waitFor('MESSAGE_RECEIVED', isNotice(5));
        await carol.waitFor((j) => j.event === 'group' && j.group_event === 'dismissed' && j.group === groupID, 'dismissed');

        for (const c of [bob, dave]) {
          const n = c.count('MESSAGE_RECEIVED', isText(text));
          if (n !== 1) fail(`${c.label} got the group message ${n} times`);
        }
        const n = carol.lines.filter(isUnimText(text)).length;
        if (n !== 1) fail(`unim announced the group message ${n} times`);
        return 'created, 3 added, message received once by 2 SDKs and unim, removal and dismissal seen';
      } finally {
        await carol.stop();
      }
    },
  },
  {
    name: 'tencent.group_offline',
    async run(env) {
      // bob is a member while offline: at login getMessageList (group_msg_get) holds each missed
      // message once, in order, and the group conversation counts them unread.
      const alice = env.client(uid('grpoff_alice'), 'alice');
      const bob = env.client(uid('grpoff_bob'), 'bob');
      await env.importUsers(alice.userID, bob.userID);
      await alice.loginReady();
      const created = await withTimeout(alice.chat.createGroup({
        type: TYPES.GRP_PUBLIC, name: 'offline group', joinOption: TYPES.JOIN_OPTIONS_NEED_PERMISSION,
        memberList: [{ userID: bob.userID }],
      }), EVENT_TIMEOUT_MS, 'createGroup');
      const groupID = created.data.group.groupID;
      const nonce = randomBytes(4).toString('hex');
      const texts = [1, 2].map((i) => `missed ${i} ${nonce}`);
      for (const text of texts) {
        const msg = alice.chat.createTextMessage({ to: groupID, conversationType: TYPES.CONV_GROUP, payload: { text } });
        await withTimeout(alice.chat.sendMessage(msg), EVENT_TIMEOUT_MS, 'sendMessage to the group');
      }
      await bob.loginReady();
      const convID = `GROUP${groupID}`;
      const find = async () => (await bob.chat.getConversationList()).data.conversationList.find((x) => x.conversationID === convID);
      const res = await withTimeout(bob.chat.getMessageList({ conversationID: convID }), EVENT_TIMEOUT_MS, 'getMessageList');
      const got = res.data.messageList.map((m) => m.payload && m.payload.text).filter((t) => t && t.endsWith(nonce));
      if (safeJson(got) !== safeJson(texts)) fail(`getMessageList has ${safeJson(got)}, expected ${safeJson(texts)}`);
      // Every message bob did not send counts (createGroup also sends one of its own).
      const incoming = res.data.messageList.filter((m) => m.flow === 'in').length;
      const conv = await eventually(async () => {
        const c = await find();
        return c && c.unreadCount === incoming ? c : undefined;
      }, `the group conversation with ${incoming} unread`);
      const last = conv.lastMessage && conv.lastMessage.payload && conv.lastMessage.payload.text;
      if (last !== texts[1]) fail(`the group conversation's last message is ${safeJson(last)}`);
      for (const t of texts) {
        if (bob.count('MESSAGE_RECEIVED', isText(t)) > 1) fail(`MESSAGE_RECEIVED fired more than once for "${t}"`);
      }
      try {
        await withTimeout(bob.chat.setMessageRead({ conversationID: convID }), EVENT_TIMEOUT_MS, 'setMessageRead');
      } catch (e) {
        fail(`setMessageRead of the group failed: ${describeErr(e)}`);
      }
      const after = await find();
      if (!after || after.unreadCount !== 0) fail(`after setMessageRead the group shows ${safeJson(after && after.unreadCount)} unread`);
      return `two group messages sent while bob was offline: history holds each once, ${incoming} unread, read clears`;
    },
  },
  {
    name: 'tencent.group_join_request',
    async run(env) {
      // bob applies to alice's NeedPermission group: alice gets the join-request notice and
      // approves it with handleGroupApplication; bob is then a member.
      const alice = env.client(uid('grpreq_alice'), 'alice');
      const bob = env.client(uid('grpreq_bob'), 'bob');
      await Promise.all([alice.loginReady(), bob.loginReady()]);
      const created = await withTimeout(alice.chat.createGroup({
        type: TYPES.GRP_PUBLIC, name: 'gated', joinOption: TYPES.JOIN_OPTIONS_NEED_PERMISSION,
      }), EVENT_TIMEOUT_MS, 'createGroup');
      const groupID = created.data.group.groupID;
      const joined = await withTimeout(bob.chat.joinGroup({ groupID, applyMessage: 'let me in' }), EVENT_TIMEOUT_MS, 'joinGroup');
      if (joined.data.status !== TYPES.JOIN_STATUS_WAIT_APPROVAL) fail(`joinGroup answered ${safeJson(joined.data.status)}`);
      const isRequest = (m) => m.type === TYPES.MSG_GRP_SYS_NOTICE && m.payload && m.payload.operationType === 1;
      const request = await alice.waitFor('MESSAGE_RECEIVED', isRequest);
      if (request.payload.operatorID !== bob.userID || request.payload.handleMessage !== 'let me in') {
        fail(`the join request reads ${safeJson({ op: request.payload.operatorID, msg: request.payload.handleMessage })}`);
      }
      try {
        await withTimeout(alice.chat.handleGroupApplication({ handleAction: 'Agree', message: request }), EVENT_TIMEOUT_MS,
          'handleGroupApplication');
      } catch (e) {
        fail(`handleGroupApplication failed: ${describeErr(e)}`);
      }
      const members = await withTimeout(alice.chat.getGroupMemberList({ groupID, count: 30, offset: 0 }), EVENT_TIMEOUT_MS,
        'getGroupMemberList');
      const ids = members.data.memberList.map((m) => m.userID);
      if (!ids.includes(bob.userID)) fail(`after the approval the members are ${safeJson(ids)}`);
      return 'WaitAdminApproval, join request notice with the applicant and message, approved, bob listed';
    },
  },
];

main({ vendor: 'tencent', keys: ['ws_url', 'sdkappid', 'secret_key'], checks: CHECKS, makeEnv });
