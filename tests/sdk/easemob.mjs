// Easemob web SDK (easemob-websdk) as a test peer of the unim emulator.
//
// Starts `unim emulator serve --vendor easemob`, reads its one-line JSON connection info
// ({"vendor":"easemob","rest_url":...,"ws_url":...,"app_key":"org#app","client_id":...,
// "client_secret":...}), runs named checks with the official SDK under Node, stops the emulator,
// and exits 0 only if every check passed. `rest_url` is the SDK's `apiUrl`, `ws_url` its `url`.
//
// Environment: see harness.mjs (UNIM_BIN, UNIM_SDK_EMULATOR_CMD, UNIM_SDK_CHECKS,
// UNIM_SDK_VERBOSE, UNIM_SDK_TIMEOUT_MS).
//
// Protocol facts behind these checks: docs/protocols/easemob.md.

import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import {
  CheckError, EVENT_TIMEOUT_MS, RUN_ID, VERBOSE, capture, describeErr, eventLog, fail, isUnimConnected, isUnimText, main,
  safeJson, textBothWays, unimPeer, withTimeout,
} from './harness.mjs';

const require = createRequire(import.meta.url);

require('./polyfill.js');

// One bundle copy per simulated user: the SDK keeps some state at module level (message maps,
// the logger), so every connection gets a fresh copy.
function freshSdk() {
  const id = require.resolve('easemob-websdk');
  delete require.cache[id];
  return require('easemob-websdk');
}
const STATUS = freshSdk().statusCode;

const uid = (name) => `${name}_${RUN_ID}`; // lower case: Easemob user IDs are case-insensitive

// ---------------------------------------------------------------------------------------------
// REST (the app server's side), straight to the emulator

function makeRest(conn) {
  const [org, app] = conn.app_key.split('#');
  const base = `${conn.rest_url.replace(/\/+$/, '')}/${org}/${app}`;
  let appToken = null;

  async function call(method, p, body, token) {
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const what = `REST ${method} /${org}/${app}${p}`;
    const res = await withTimeout(
      fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }),
      EVENT_TIMEOUT_MS,
      what,
    );
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
    capture('harness', `${what} -> ${res.status} ${text.slice(0, 300)}`);
    return { status: res.status, json, text, what };
  }
  function expectOk(r) {
    if (r.status !== 200 || !r.json) fail(`${r.what} answered HTTP ${r.status}: ${r.text.slice(0, 300)}`);
    return r.json;
  }

  return {
    call,
    // App token: POST /token with the app's client credentials.
    async appToken() {
      if (appToken) return appToken;
      const j = expectOk(await call('POST', '/token', { grant_type: 'client_credentials', client_id: conn.client_id, client_secret: conn.client_secret }));
      if (typeof j.access_token !== 'string' || !j.access_token) fail(`client_credentials token reply has no access_token: ${safeJson(j)}`);
      appToken = j.access_token;
      return appToken;
    },
    // Authorized registration (the app server creates the account).
    async createUser(username, password) {
      const j = expectOk(await call('POST', '/users', [{ username, password }], await this.appToken()));
      const e = Array.isArray(j.entities) ? j.entities.find((x) => x && x.username === username) : null;
      if (!e) fail(`POST /users did not return the entity of ${username}: ${safeJson(j)}`);
      return e;
    },
    // User token: POST /token with grant_type password.
    async userToken(username, password) {
      const j = expectOk(await call('POST', '/token', { grant_type: 'password', username, password }));
      if (typeof j.access_token !== 'string' || !j.access_token) fail(`password token reply has no access_token: ${safeJson(j)}`);
      return j;
    },
    async disconnect(username) {
      return expectOk(await call('GET', `/users/${encodeURIComponent(username)}/disconnect`, undefined, await this.appToken()));
    },
    // POST /messages/users: a txt message from `from` to one user; returns its message id.
    async sendText(from, to, text) {
      const j = expectOk(await call('POST', '/messages/users', { from, to: [to], type: 'txt', body: { msg: text } }, await this.appToken()));
      const id = j.data && j.data[to];
      if (typeof id !== 'string' || !/^\d{19}$/.test(id)) fail(`POST /messages/users gave no 19-digit id for ${to}: ${safeJson(j)}`);
      return id;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// SDK clients

const WATCHED = ['onConnected', 'onDisconnected', 'onReconnecting', 'onError', 'onTextMessage', 'onMessage', 'onTokenWillExpire', 'onTokenExpired', 'onOfflineMessageSyncStart', 'onOfflineMessageSyncFinish', 'onGroupEvent'];

function makeEnv(conn) {
  const rest = makeRest(conn);
  const clients = [];

  function client(user, label = user) {
    const EC = freshSdk();
    if (EC.logger && typeof EC.logger.setLevel === 'function') EC.logger.setLevel(VERBOSE ? 0 : 1);
    // isFixedDeviceId:false + our own deviceId: every instance gets its own resource
    // ("webim_web_<deviceId>"); with the default, all instances in this process would share the
    // one device ID kept in (our shared, in-memory) localStorage.
    const c = new EC.connection({
      appKey: conn.app_key,
      isHttpDNS: false,
      url: conn.ws_url,
      apiUrl: conn.rest_url.replace(/\/+$/, ''),
      https: false,
      isFixedDeviceId: false,
      deviceId: `${label.replace(/[^a-z0-9]/gi, '')}${randomBytes(3).toString('hex')}`,
    });
    // onMessage carries an array of messages; the other events one value (or none).
    const log = eventLog(WATCHED, label, { lists: ['onMessage'], quiet: ['onMessage', 'onTextMessage'] });
    c.addEventHandler('unim-harness', Object.fromEntries(WATCHED.map((name) => [name, (ev) => log.record(name, ev)])));

    const cl = {
      user,
      label,
      conn: c,
      EC,
      events: log.events,
      opened: false,
      count: log.count,
      waitFor: log.waitFor,
      open(params) {
        cl.opened = true;
        return withTimeout(c.open({ user, ...params }), EVENT_TIMEOUT_MS, `${label}: open()`);
      },
      async openConnected(params) {
        const connected = cl.waitFor('onConnected');
        connected.catch(() => {});
        let res;
        try {
          res = await cl.open(params);
        } catch (e) {
          fail(`${label}: open() rejected: ${describeErr(e)}`);
        }
        await connected;
        return res;
      },
      async sendText(to, text, chatType = 'singleChat') {
        const msg = EC.message.create({ type: 'txt', chatType, to, msg: text });
        let res;
        try {
          res = await withTimeout(c.send(msg), EVENT_TIMEOUT_MS, `${label}: send()`);
        } catch (e) {
          fail(`${label}: send to ${to} failed: ${describeErr(e)}`);
        }
        if (!res || !res.serverMsgId) fail(`${label}: send() resolved without a serverMsgId: ${safeJson(res)}`);
        return res;
      },
    };
    clients.push(cl);
    return cl;
  }

  async function cleanup() {
    for (const cl of clients.splice(0)) {
      try {
        if (cl.opened) cl.conn.close();
      } catch (e) {
        capture('harness', `${cl.label}: cleanup: ${describeErr(e)}`);
      }
    }
  }

  // A user created by the app server through REST, with a password.
  async function user(name) {
    const username = uid(name);
    const password = `pw-${randomBytes(6).toString('hex')}`;
    await rest.createUser(username, password);
    return { username, password };
  }

  return { client, cleanup, rest, user, conn };
}

const isText = (text) => (m) => m && m.msg === text;

// The SDK's getServerConversations(): its one-to-one conversation with `peer`, if listed.
async function serverConversation(cl, peer) {
  let res;
  try {
    res = await withTimeout(cl.conn.getServerConversations({ pageSize: 20, cursor: '' }), EVENT_TIMEOUT_MS, `${cl.label}: getServerConversations()`);
  } catch (e) {
    if (e instanceof CheckError) throw e;
    fail(`${cl.label}: getServerConversations() rejected: ${describeErr(e)}`);
  }
  const list = res && res.data && Array.isArray(res.data.conversations) ? res.data.conversations : null;
  if (!list) fail(`${cl.label}: getServerConversations() resolved without data.conversations: ${safeJson(res)}`);
  return list.find((c) => c.conversationId === peer && c.conversationType === 'singleChat');
}

// A `unim login --vendor easemob` peer, logging in with a password.
function easemobPeer(conn, user, password) {
  return unimPeer('easemob', ['--rest-url', conn.rest_url, '--ws-url', conn.ws_url, '--app-key', conn.app_key,
    '--user', user, '--password', password]);
}

function expectIncomingText(m, { from, to, text, id }) {
  const problems = [];
  if (m.from !== from) problems.push(`from=${safeJson(m.from)} (want ${from})`);
  if (m.to !== to) problems.push(`to=${safeJson(m.to)} (want ${to})`);
  if (m.type !== 'txt') problems.push(`type=${safeJson(m.type)} (want txt)`);
  if (m.chatType !== 'singleChat') problems.push(`chatType=${safeJson(m.chatType)} (want singleChat)`);
  if (m.msg !== text) problems.push('text differs');
  if (id !== undefined && String(m.id) !== String(id)) problems.push(`id=${safeJson(m.id)} (want the sender's serverMsgId ${id})`);
  if (problems.length) fail(`message "${text}" arrived with ${problems.join(', ')}`);
}

// ---------------------------------------------------------------------------------------------
// Checks

const CHECKS = [
  {
    name: 'easemob.register',
    // The SDK's own registerUser(): POST /{org}/{app}/users without a token (open registration).
    async run(env) {
      const a = env.client(uid('reg'), 'reg');
      const username = a.user;
      const password = `pw-${randomBytes(6).toString('hex')}`;
      let res;
      try {
        res = await withTimeout(a.conn.registerUser({ username, password }), EVENT_TIMEOUT_MS, 'registerUser()');
      } catch (e) {
        fail(`registerUser() rejected: ${describeErr(e)}`);
      }
      const ent = res && Array.isArray(res.entities) ? res.entities[0] : null;
      if (!ent || ent.username !== username) fail(`registerUser() resolved without the new user entity: ${safeJson(res)}`);
      if (res.type !== STATUS.REQUEST_SUCCESS) fail(`registerUser() resolved with type ${res.type}`);

      let dupErr;
      try {
        await withTimeout(a.conn.registerUser({ username, password }), EVENT_TIMEOUT_MS, 'registerUser() of an existing user');
      } catch (e) {
        if (e instanceof CheckError) throw e;
        dupErr = e;
      }
      if (!dupErr) fail('registering the same user name twice succeeded');
      if (dupErr.type !== STATUS.WEBIM_CONNCTION_AJAX_ERROR) fail(`duplicate registration rejected with ${describeErr(dupErr)}, expected type ${STATUS.WEBIM_CONNCTION_AJAX_ERROR} (an HTTP 400)`);

      // The password given at registration is the one that logs in.
      await env.rest.userToken(username, password);
      return `registered via the SDK (REST POST /users, no token); duplicate -> ${describeErr(dupErr)}`;
    },
  },
  {
    name: 'easemob.login_password',
    async run(env) {
      const u = await env.user('pwd');
      const a = env.client(u.username, 'alice');
      const res = await a.openConnected({ pwd: u.password });
      if (!res || typeof res.accessToken !== 'string' || !res.accessToken) fail(`open() resolved without accessToken: ${safeJson(res)}`);
      if (!(Number(res.duration) > 0)) fail(`open() resolved without a positive duration (the token's expires_in): ${safeJson(res)}`);
      if (!a.conn.isOpened()) fail('onConnected fired but isOpened() is false');
      if (a.count('onConnected') !== 1) fail(`onConnected fired ${a.count('onConnected')} times`);
      return `open() resolved (duration ${res.duration} s), onConnected fired`;
    },
  },
  {
    name: 'easemob.login_token',
    async run(env) {
      const u = await env.user('tok');
      const tok = await env.rest.userToken(u.username, u.password);
      const a = env.client(u.username, 'alice');
      const res = await a.openConnected({ accessToken: tok.access_token });
      if (!res || res.accessToken !== tok.access_token) fail(`open() resolved with another token: ${safeJson(res)}`);
      if (!a.conn.isOpened()) fail('onConnected fired but isOpened() is false');
      if (a.count('onConnected') !== 1) fail(`onConnected fired ${a.count('onConnected')} times`);
      return 'token from REST /token (password grant); open({accessToken}) connected';
    },
  },
  {
    name: 'easemob.login_wrong_password',
    async run(env) {
      const u = await env.user('badpw');
      const a = env.client(u.username, 'alice(bad pwd)');
      let res;
      let err;
      try {
        res = await a.open({ pwd: `${u.password}-wrong` });
      } catch (e) {
        if (e instanceof CheckError) throw e;
        err = e;
      }
      if (!err) fail(`open() with a wrong password resolved: ${safeJson(res)}`);
      if (err.type !== STATUS.WEBIM_CONNCTION_OPEN_ERROR) fail(`open() rejected with ${describeErr(err)}, expected type ${STATUS.WEBIM_CONNCTION_OPEN_ERROR} (WEBIM_CONNCTION_OPEN_ERROR)`);
      if (a.count('onConnected')) fail('onConnected fired although open() was rejected');
      if (a.conn.isOpened()) fail('isOpened() is true after a rejected open()');
      return `rejected with ${describeErr(err)}`;
    },
  },
  {
    name: 'easemob.text_exchange',
    async run(env) {
      const [ua, ub] = await Promise.all([env.user('alice'), env.user('bob')]);
      const alice = env.client(ua.username, 'alice');
      const bob = env.client(ub.username, 'bob');
      const tokB = await env.rest.userToken(ub.username, ub.password);
      await Promise.all([alice.openConnected({ pwd: ua.password }), bob.openConnected({ accessToken: tokB.access_token })]);
      // Metas of one queue arrive in order: the barrier texts rule out late duplicates.
      const { t1, t2 } = await textBothWays(alice, bob, {
        event: 'onTextMessage',
        addr: (c) => c.user,
        isText,
        expect: (m, { from, to, text, sent }) => expectIncomingText(m, { from, to, text, id: sent.serverMsgId }),
      });
      // The same texts also come through the generic onMessage, once each.
      for (const [who, text] of [[bob, t1], [alice, t2]]) {
        const nm = who.count('onMessage', isText(text));
        if (nm !== 1) fail(`${who.label} got onMessage for "${text}" ${nm} times`);
      }
      return 'alice -> bob and bob -> alice, each received once, id = serverMsgId';
    },
  },
  {
    name: 'easemob.forced_off',
    // REST GET /{org}/{app}/users/{u}/disconnect (app token) kicks every device of the user.
    async run(env) {
      const ub = await env.user('kick');
      const bob = env.client(ub.username, 'bob');
      const tok = await env.rest.userToken(ub.username, ub.password);
      await bob.openConnected({ accessToken: tok.access_token });
      const KICKS = [
        STATUS.WEBIM_CONNCTION_USER_REMOVED,
        STATUS.WEBIM_CONNCTION_USER_LOGIN_ANOTHER_DEVICE,
        STATUS.WEBIM_CONNCTION_USER_KICKED_BY_CHANGE_PASSWORD,
        STATUS.WEBIM_CONNCTION_USER_KICKED_BY_OTHER_DEVICE,
      ];
      const EXPECTED = STATUS.WEBIM_CONNCTION_USER_KICKED_BY_OTHER_DEVICE; // 217
      const kicked = bob.waitFor('onError', (e) => e && KICKS.includes(e.type));
      kicked.catch(() => {});
      const gone = bob.waitFor('onDisconnected');
      gone.catch(() => {});

      const r = await env.rest.disconnect(bob.user);
      if (!r.data || r.data.result !== true) fail(`GET /users/{u}/disconnect answered without data.result=true: ${safeJson(r)}`);

      const ev = await kicked;
      if (ev.type !== EXPECTED) fail(`onError came with type ${ev.type} "${ev.message}", expected ${EXPECTED} (kicked by other device)`);
      const dis = await gone;
      if (!dis || dis.type !== EXPECTED) fail(`onDisconnected came with ${safeJson(dis)}, expected type ${EXPECTED}`);

      const kicks = bob.count('onError', (e) => e && KICKS.includes(e.type));
      if (kicks !== 1) fail(`onError with a kick type fired ${kicks} times: ${safeJson(bob.events.onError)}`);
      if (bob.count('onDisconnected') !== 1) fail(`onDisconnected fired ${bob.count('onDisconnected')} times`);
      if (bob.count('onReconnecting')) fail('the SDK started reconnecting after the kick');
      if (bob.count('onConnected') !== 1) fail(`onConnected fired ${bob.count('onConnected')} times`);
      if (bob.conn.isOpened()) fail('isOpened() is still true after the kick');
      return `onError and onDisconnected type ${ev.type} "${ev.message}", once each, no reconnect`;
    },
  },
  {
    name: 'easemob.offline_messages',
    // Sent through REST while the receiver is offline; delivered at its next login, in order, once.
    async run(env) {
      const [ua, ub] = await Promise.all([env.user('offa'), env.user('offb')]);
      const nonce = randomBytes(4).toString('hex');
      const texts = [1, 2, 3].map((i) => `offline ${i} ${nonce}`);
      const ids = [];
      for (const t of texts) ids.push(await env.rest.sendText(ua.username, ub.username, t));
      const bob = env.client(ub.username, 'bob');
      const synced = bob.waitFor('onOfflineMessageSyncFinish');
      synced.catch(() => {});
      await bob.openConnected({ pwd: ub.password });
      for (const t of texts) await bob.waitFor('onTextMessage', isText(t));
      await synced;
      // Barrier: a live message after them; a duplicate would have come before it.
      const barrier = `after ${nonce}`;
      await env.rest.sendText(ua.username, ub.username, barrier);
      await bob.waitFor('onTextMessage', isText(barrier));
      const got = bob.events.onTextMessage.filter((m) => texts.includes(m.msg));
      if (got.length !== 3) fail(`bob got ${got.length} offline messages, want 3 once each: ${safeJson(got.map((m) => m.msg))}`);
      got.forEach((m, i) => expectIncomingText(m, { from: ua.username, to: ub.username, text: texts[i], id: ids[i] }));
      if (bob.count('onOfflineMessageSyncStart') < 1) fail('onOfflineMessageSyncStart never fired');
      return 'three REST messages sent while offline arrived at login, in order, once (ids = REST data ids)';
    },
  },
  {
    name: 'easemob.conversation_list',
    // getServerConversations(): the receiver's conversation with the right unread count and last message.
    async run(env) {
      const [ua, ub] = await Promise.all([env.user('cla'), env.user('clb')]);
      const alice = env.client(ua.username, 'alice');
      const bob = env.client(ub.username, 'bob');
      await Promise.all([alice.openConnected({ pwd: ua.password }), bob.openConnected({ pwd: ub.password })]);
      const nonce = randomBytes(4).toString('hex');
      await alice.sendText(bob.user, `first ${nonce}`);
      const last = await alice.sendText(bob.user, `second ${nonce}`);
      await bob.waitFor('onTextMessage', isText(`second ${nonce}`));
      const conv = await serverConversation(bob, alice.user);
      if (!conv) fail(`bob's server conversations do not list ${alice.user}`);
      if (conv.unReadCount !== 2) fail(`bob's conversation with alice has unReadCount ${conv.unReadCount}, want 2`);
      const lm = conv.lastMessage;
      if (!lm || lm.msg !== `second ${nonce}` || String(lm.id) !== String(last.serverMsgId)) fail(`the last message is ${safeJson(lm)}, want "second ${nonce}" with id ${last.serverMsgId}`);
      const mine = await serverConversation(alice, bob.user);
      if (!mine || mine.unReadCount !== 0) fail(`alice's conversation with bob is ${safeJson(mine)}, want it listed with unReadCount 0`);
      return `unReadCount 2 on the receiver's side, 0 on the sender's; last message id ${last.serverMsgId}`;
    },
  },
  {
    name: 'easemob.mark_read',
    // A `channel` message (msync CHANNEL_ACK) zeroes the conversation's unread count on the server.
    async run(env) {
      const [ua, ub] = await Promise.all([env.user('mra'), env.user('mrb')]);
      const alice = env.client(ua.username, 'alice');
      const bob = env.client(ub.username, 'bob');
      await Promise.all([alice.openConnected({ pwd: ua.password }), bob.openConnected({ pwd: ub.password })]);
      const nonce = randomBytes(4).toString('hex');
      await alice.sendText(bob.user, `read me ${nonce}`);
      await bob.waitFor('onTextMessage', isText(`read me ${nonce}`));
      const before = await serverConversation(bob, alice.user);
      if (!before || before.unReadCount !== 1) fail(`before: ${safeJson(before)}, want unReadCount 1`);
      const ack = bob.EC.message.create({ type: 'channel', chatType: 'singleChat', to: alice.user });
      try {
        await withTimeout(bob.conn.send(ack), EVENT_TIMEOUT_MS, 'bob: send(channel ack)');
      } catch (e) {
        if (e instanceof CheckError) throw e;
        fail(`the channel ack was refused: ${describeErr(e)}`);
      }
      const after = await serverConversation(bob, alice.user);
      if (!after || after.unReadCount !== 0) fail(`after the channel ack: ${safeJson(after)}, want unReadCount 0`);
      return 'channel ack sent; unReadCount 1 -> 0';
    },
  },
  {
    name: 'easemob.unim_peer',
    // The official SDK and a `unim login --vendor easemob` session exchange a text both ways.
    async run(env) {
      const [ua, ub] = await Promise.all([env.user('sdkpeer'), env.user('unimpeer')]);
      const sdk = env.client(ua.username, 'sdk');
      await sdk.openConnected({ pwd: ua.password });
      const peer = easemobPeer(env.conn, ub.username, ub.password);
      try {
        await peer.waitFor(isUnimConnected, 'connected');
        const nonce = randomBytes(4).toString('hex');
        const toUnim = `sdk to unim ${nonce}`;
        const s1 = await sdk.sendText(ub.username, toUnim);
        const got = await peer.waitFor(isUnimText(toUnim), 'the SDK\'s message');
        if (String(got.message.server_id) !== String(s1.serverMsgId) || got.message.from !== ua.username) fail(`unim received ${safeJson(got.message)}, want server_id ${s1.serverMsgId} from ${ua.username}`);
        const toSdk = `unim to sdk ${nonce}`;
        peer.command(`send ${ua.username} ${toSdk}`);
        const sent = await peer.waitFor((j) => j.sent || j.error, 'the send result');
        if (!sent.sent) fail(`unim's send failed: ${safeJson(sent.error)}`);
        const m = await sdk.waitFor('onTextMessage', isText(toSdk));
        expectIncomingText(m, { from: ub.username, to: ua.username, text: toSdk, id: sent.sent.server_id });
        if (peer.lines.filter(isUnimText(toUnim)).length !== 1) fail('unim announced the SDK\'s message more than once');
        return 'SDK -> unim and unim -> SDK, same server ids on both sides';
      } finally {
        await peer.stop();
      }
    },
  },
];


// The SDK's own call `name` (a promise-returning method of the connection), failing the check on a rejection.
async function sdkCall(cl, name, params) {
  try {
    return await withTimeout(cl.conn[name](params), EVENT_TIMEOUT_MS, `${cl.label}: ${name}()`);
  } catch (e) {
    if (e instanceof CheckError) throw e;
    fail(`${cl.label}: ${name}(${safeJson(params)}) rejected: ${describeErr(e)}`);
  }
  return undefined;
}

const isGroupOp = (groupId, operation) => (e) => e && e.id === groupId && e.operation === operation;

CHECKS.push({
  name: 'easemob.group',
  // The SDK creates a group (REST POST /chatgroups with its token), invites a `unim login` peer, sends
  // a groupChat text that both members receive once, removes the peer and destroys the group; the
  // members see directJoined, removeMember and destroy in onGroupEvent (msync MUC notifications).
  async run(env) {
    const [ua, ub, uc] = await Promise.all([env.user('gowner'), env.user('gsdk'), env.user('gunim')]);
    const alice = env.client(ua.username, 'alice');
    const bob = env.client(ub.username, 'bob');
    await Promise.all([alice.openConnected({ pwd: ua.password }), bob.openConnected({ pwd: ub.password })]);
    const created = await sdkCall(alice, 'createGroupVNext', {
      groupName: `team ${RUN_ID}`, description: 'unim harness', members: [ub.username], isPublic: false,
      needApprovalToJoin: false, allowMemberToInvite: true, inviteNeedConfirm: false, maxMemberCount: 200,
    });
    const groupId = created && created.data && created.data.groupId;
    if (typeof groupId !== 'string' || !/^\d{15}$/.test(groupId)) fail(`createGroupVNext() gave no 15-digit groupId: ${safeJson(created)}`);
    const joined = await bob.waitFor('onGroupEvent', isGroupOp(groupId, 'directJoined'));
    if (joined.from !== ua.username) fail(`bob's directJoined names ${safeJson(joined.from)} as the inviter, want ${ua.username}`);

    const peer = easemobPeer(env.conn, uc.username, uc.password);
    try {
      await peer.waitFor(isUnimConnected, 'connected');
      await sdkCall(alice, 'inviteUsersToGroup', { groupId, users: [uc.username] });
      const inPeer = (j) => j.event === 'group' && j.group_event === 'member_joined' && j.user === uc.username;
      await peer.waitFor(inPeer, 'unim told it joined');
      const presence = await bob.waitFor('onGroupEvent', (e) => isGroupOp(groupId, 'memberPresence')(e) && e.from === uc.username);
      if (!presence) fail('bob was not told that the unim peer joined');

      const text = `to the group ${randomBytes(4).toString('hex')}`;
      const sent = await alice.sendText(groupId, text, 'groupChat');
      const m = await bob.waitFor('onTextMessage', isText(text));
      if (m.chatType !== 'groupChat' || m.to !== groupId || m.from !== ua.username || String(m.id) !== String(sent.serverMsgId)) {
        fail(`bob got ${safeJson({ chatType: m.chatType, to: m.to, from: m.from, id: m.id })}, want groupChat to ${groupId} from ${ua.username} id ${sent.serverMsgId}`);
      }
      const got = await peer.waitFor(isUnimText(text), 'the group message');
      const conv = got.message.conversation;
      if (!conv || conv.kind !== 'group' || conv.peer !== groupId || String(got.message.server_id) !== String(sent.serverMsgId)) {
        fail(`unim received ${safeJson(got.message)}, want conversation group ${groupId} and server_id ${sent.serverMsgId}`);
      }

      // getServerConversations(): the group is bob's groupChat conversation with one unread message.
      const convs = await sdkCall(bob, 'getServerConversations', { pageSize: 20, cursor: '' });
      const list = convs && convs.data && Array.isArray(convs.data.conversations) ? convs.data.conversations : [];
      const gc = list.find((c) => c.conversationId === groupId);
      if (!gc || gc.conversationType !== 'groupChat' || gc.unReadCount !== 1) fail(`bob's group conversation is ${safeJson(gc)}, want groupChat with unReadCount 1`);

      // A muted member's send is refused with the SDK's "muted" type (msync USER_MUTED).
      await sdkCall(alice, 'muteGroupMember', { groupId, username: ub.username, muteDuration: 60000 });
      await bob.waitFor('onGroupEvent', (e) => isGroupOp(groupId, 'muteMember')(e) && e.userId === ub.username);
      let mutedErr;
      try {
        await withTimeout(bob.conn.send(bob.EC.message.create({ type: 'txt', chatType: 'groupChat', to: groupId, msg: 'muted?' })), EVENT_TIMEOUT_MS, 'bob: muted send');
      } catch (e) {
        if (e instanceof CheckError) throw e;
        mutedErr = e;
      }
      if (!mutedErr || mutedErr.type !== STATUS.SERVICE_NOT_ALLOW_MESSAGING_MUTE) fail(`bob's send while muted ended with ${mutedErr ? describeErr(mutedErr) : 'success'}, want type ${STATUS.SERVICE_NOT_ALLOW_MESSAGING_MUTE}`);

      await sdkCall(alice, 'removeGroupMember', { groupId, username: uc.username });
      const removed = await bob.waitFor('onGroupEvent', isGroupOp(groupId, 'removeMember'));
      const peerRemoved = (j) => j.event === 'group' && j.group_event === 'member_removed' && j.user === uc.username && j.by === ua.username;
      await peer.waitFor(peerRemoved, 'unim told it was removed');

      await sdkCall(alice, 'destroyGroup', { groupId });
      await bob.waitFor('onGroupEvent', isGroupOp(groupId, 'destroy'));
      // Barrier: a one-to-one text after the group's end; a late duplicate would have come before it.
      const barrier = `after the group ${randomBytes(4).toString('hex')}`;
      await alice.sendText(ub.username, barrier);
      await bob.waitFor('onTextMessage', isText(barrier));
      if (bob.count('onTextMessage', isText(text)) !== 1) fail(`bob got the group message ${bob.count('onTextMessage', isText(text))} times`);
      if (peer.lines.filter(isUnimText(text)).length !== 1) fail('unim announced the group message more than once');
      if (alice.count('onTextMessage', isText(text))) fail('the sender got its own group message back');
      return `group ${groupId}: SDK and unim members got the message once (id ${sent.serverMsgId}), listed unread; muted send -> ${mutedErr.type}; removeMember (from ${removed.from}) and destroy seen`;
    } finally {
      await peer.stop();
    }
  },
});

main({
  vendor: 'easemob',
  keys: ['rest_url', 'ws_url', 'app_key', 'client_id', 'client_secret'],
  validate(j) {
    if (!/^[^#\s]+#[^#\s]+$/.test(j.app_key)) throw new CheckError(`emulator's app_key is not "org#app": ${j.app_key}`);
  },
  checks: CHECKS,
  makeEnv,
});
