// Tencent Cloud Chat web SDK (@tencentcloud/chat) as a test peer of the unim emulator.
//
// Starts `unim emulator serve --vendor tencent`, reads its one-line JSON connection info
// ({"vendor":"tencent","ws_url":...,"sdkappid":...,"secret_key":...}), runs named checks with
// the official SDK under Node, stops the emulator, and exits 0 only if every check passed.
//
// Environment:
//   UNIM_BIN                  emulator binary (default: target/debug/unim; a relative path is
//                             taken from the repository root)
//   UNIM_SDK_EMULATOR_CMD     shell command used instead of "$UNIM_BIN emulator serve --vendor tencent";
//                             it must print the JSON line on stdout and then serve
//   UNIM_SDK_CHECKS           comma-separated check names to run (default: all)
//   UNIM_SDK_VERBOSE=1        stream SDK and emulator logs to stderr (otherwise they are shown
//                             only for failed checks)
//   UNIM_SDK_TIMEOUT_MS       per-check time limit (default 45000)
//
// Protocol facts behind these checks: docs/protocols/tencent.md.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
const VERBOSE = process.env.UNIM_SDK_VERBOSE === '1';
const CHECK_TIMEOUT_MS = Number(process.env.UNIM_SDK_TIMEOUT_MS || 45000);
const EVENT_TIMEOUT_MS = 20000; // one awaited SDK event or call
const KICK_TIMEOUT_MS = 25000; // the SDK waits up to 15 s for its wslogout before KICKED_OUT

// ---------------------------------------------------------------------------------------------
// Log capture: the SDK logs through console.*; keep the tail for failure reports.

const logTail = [];
const LOG_TAIL_MAX = 400;
let logTotal = 0; // lines ever captured; logTail holds the last LOG_TAIL_MAX of them
function capture(source, text) {
  const line = `[${source}] ${text}`;
  if (VERBOSE) process.stderr.write(line + '\n');
  logTail.push(line);
  logTotal++;
  if (logTail.length > LOG_TAIL_MAX) logTail.shift();
}
function out(line) { process.stdout.write(line + '\n'); }
// Browser-style console formatting: drop "%c" markers and their CSS arguments.
function formatConsole(args) {
  let rest = args;
  if (typeof args[0] === 'string' && args[0].includes('%c')) {
    const n = args[0].split('%c').length - 1;
    rest = [args[0].replace(/%c/g, ''), ...args.slice(1 + n)];
  }
  return rest.map((a) => (typeof a === 'string' ? a : safeJson(a))).join(' ').replace(/\s+/g, ' ').trim();
}
for (const level of ['log', 'info', 'warn', 'error', 'debug']) {
  console[level] = (...args) => capture('sdk', formatConsole(args));
}
function safeJson(v) {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try { return JSON.stringify(v); } catch (_) { return String(v); }
}

// The SDK re-logs in after a reconnect without handling a failed answer; under Node such a
// rejection would end the process. Record it instead: checks judge by events.
const unhandled = [];
process.on('unhandledRejection', (reason) => {
  const text = reason && reason.code !== undefined ? `code ${reason.code}: ${reason.message}` : safeJson(reason);
  unhandled.push(text);
  capture('harness', `unhandled rejection inside the SDK: ${text}`);
});

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

// ---------------------------------------------------------------------------------------------
// Helpers

class CheckError extends Error {}
function fail(msg) { throw new CheckError(msg); }

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new CheckError(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

function describeErr(e) {
  if (e instanceof CheckError) return e.message;
  if (e && e.code !== undefined) return `code ${e.code}: ${e.message || ''}`.trim();
  return e && e.message ? e.message : String(e);
}

const RUN_ID = randomBytes(3).toString('hex');
const uid = (name) => `${name}_${RUN_ID}`;

// ---------------------------------------------------------------------------------------------
// Emulator process

function startEmulator() {
  const custom = process.env.UNIM_SDK_EMULATOR_CMD;
  let child;
  let label;
  if (custom) {
    label = custom;
    child = spawn('sh', ['-c', custom], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } else {
    const bin = path.resolve(REPO_ROOT, process.env.UNIM_BIN || path.join('target', 'debug', 'unim'));
    label = `${bin} emulator serve --vendor tencent`;
    child = spawn(bin, ['emulator', 'serve', '--vendor', 'tencent'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  }
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => resolve({ error: err }));
  });
  readline.createInterface({ input: child.stderr }).on('line', (l) => capture('emulator', l));
  const lines = readline.createInterface({ input: child.stdout });
  const firstLine = new Promise((resolve) => {
    let first = true;
    lines.on('line', (l) => {
      if (first) { first = false; resolve(l); } else capture('emulator', l);
    });
  });
  const info = withTimeout(
    Promise.race([
      firstLine,
      exited.then((x) => {
        throw new CheckError(`emulator (${label}) ended before printing its connection line: ${x.error ? x.error.message : `exit ${x.code} ${x.signal || ''}`}`);
      }),
    ]),
    60000,
    `the emulator's connection line (${label})`,
  ).then((line) => {
    let j;
    try { j = JSON.parse(line); } catch (_) { throw new CheckError(`emulator's first stdout line is not JSON: ${line}`); }
    for (const k of ['ws_url', 'sdkappid', 'secret_key']) {
      if (j[k] === undefined || j[k] === '') throw new CheckError(`emulator's connection line lacks "${k}": ${line}`);
    }
    if (j.vendor !== undefined && j.vendor !== 'tencent') throw new CheckError(`emulator says vendor ${j.vendor}, expected tencent`);
    return j;
  });
  // Never leave the emulator behind, also when this process is interrupted.
  const killNow = () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try { process.kill(-child.pid, 'SIGKILL'); } catch (_) { try { child.kill('SIGKILL'); } catch (_) { /* gone */ } }
  };
  process.once('exit', killNow);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => { killNow(); process.exit(sig === 'SIGINT' ? 130 : 143); });
  }
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch (_) { try { child.kill('SIGTERM'); } catch (_) { /* gone */ } }
    const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 3000))]);
    if (!done) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch (_) { try { child.kill('SIGKILL'); } catch (_) { /* gone */ } }
    }
  };
  return { info, stop, exited, label };
}

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
    const events = Object.fromEntries(WATCHED.map((n) => [n, []]));
    const waiters = [];
    for (const name of WATCHED) {
      chat.on(TCC.EVENT[name], (ev) => {
        const items = name === 'MESSAGE_RECEIVED' ? (ev && Array.isArray(ev.data) ? ev.data : []) : [ev ? ev.data : undefined];
        for (const item of items) {
          events[name].push(item);
          for (const w of [...waiters]) {
            if (w.name === name && w.pred(item)) {
              waiters.splice(waiters.indexOf(w), 1);
              w.resolve(item);
            }
          }
        }
        if (name !== 'MESSAGE_RECEIVED' && name !== 'NET_STATE_CHANGE') capture('harness', `${label}: event ${name} ${safeJson(ev ? ev.data : null)}`);
      });
    }
    const c = {
      userID,
      label,
      chat,
      events,
      count: (name, pred = () => true) => events[name].filter(pred).length,
      // Resolves with the first matching event, including ones that already happened.
      waitFor(name, pred = () => true, ms = EVENT_TIMEOUT_MS) {
        const i = events[name].findIndex(pred);
        if (i >= 0) return Promise.resolve(events[name][i]);
        return withTimeout(new Promise((resolve) => waiters.push({ name, pred, resolve })), ms, `${label}: ${name}`);
      },
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

  return {
    client,
    cleanup,
    rest,
    conn,
    sig: (u) => sigApi.genUserSig(u, 86400),
    wrongKeySig: (u) => wrongApi.genUserSig(u, 86400),
  };
}

// Polls `probe` (which returns a value or undefined) until it yields, for SDK state that has no event
// of its own (the conversation list settles after SDK_READY).
async function eventually(probe, what, ms = EVENT_TIMEOUT_MS) {
  const until = Date.now() + ms;
  let last;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      if (e instanceof CheckError) throw e;
      last = e;
    }
    if (Date.now() > until) fail(`timed out after ${ms} ms waiting for ${what}${last ? `: ${describeErr(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
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

// A `unim login` process as the peer of an SDK user: neutral events come as JSON lines on stdout,
// `send <peer> <text>` goes to stdin.
function unimPeer(env, user) {
  const bin = path.resolve(REPO_ROOT, process.env.UNIM_BIN || path.join('target', 'debug', 'unim'));
  const args = ['login', '--vendor', 'tencent', '--user', user, '--ws-url', env.conn.ws_url,
    '--sdkappid', String(env.conn.sdkappid), '--usersig', env.sig(user)];
  const child = spawn(bin, args, { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = [];
  const waiters = [];
  readline.createInterface({ input: child.stderr }).on('line', (l) => capture('unim-peer', l));
  readline.createInterface({ input: child.stdout }).on('line', (l) => {
    capture('unim-peer', l);
    let j;
    try { j = JSON.parse(l); } catch (_) { return; }
    lines.push(j);
    for (const w of [...waiters]) if (w.pred(j)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(j); }
  });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    lines,
    waitFor(pred, what) {
      const found = lines.find(pred);
      if (found) return Promise.resolve(found);
      return withTimeout(new Promise((resolve) => waiters.push({ pred, resolve })), EVENT_TIMEOUT_MS, `unim peer: ${what}`);
    },
    command(line) { child.stdin.write(line + '\n'); },
    async stop() {
      if (child.exitCode !== null) return;
      try { child.stdin.write('logout\n'); } catch (_) { /* gone */ }
      const done = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5000))]);
      if (!done) child.kill('SIGKILL');
    },
  };
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
      const nonce = randomBytes(4).toString('hex');
      const t1 = `hello bob ${nonce}`;
      const t2 = `hello alice ${nonce}`;

      await alice.sendText(bob.userID, t1);
      const m1 = await bob.waitFor('MESSAGE_RECEIVED', isText(t1));
      expectIncomingText(m1, { from: alice.userID, to: bob.userID, text: t1 });

      await bob.sendText(alice.userID, t2);
      const m2 = await alice.waitFor('MESSAGE_RECEIVED', isText(t2));
      expectIncomingText(m2, { from: bob.userID, to: alice.userID, text: t2 });

      // Barrier: one more message each way. Pushes to one connection arrive in order, so any
      // duplicate of t1/t2 would have been delivered before these.
      const b1 = `barrier to bob ${nonce}`;
      const b2 = `barrier to alice ${nonce}`;
      await alice.sendText(bob.userID, b1);
      await bob.waitFor('MESSAGE_RECEIVED', isText(b1));
      await bob.sendText(alice.userID, b2);
      await alice.waitFor('MESSAGE_RECEIVED', isText(b2));

      const n1 = bob.count('MESSAGE_RECEIVED', isText(t1));
      const n2 = alice.count('MESSAGE_RECEIVED', isText(t2));
      if (n1 !== 1) fail(`bob got MESSAGE_RECEIVED for "${t1}" ${n1} times`);
      if (n2 !== 1) fail(`alice got MESSAGE_RECEIVED for "${t2}" ${n2} times`);
      const echoes = alice.count('MESSAGE_RECEIVED', isText(t1)) + bob.count('MESSAGE_RECEIVED', isText(t2));
      if (echoes) fail(`a sender got its own message as MESSAGE_RECEIVED (${echoes} times)`);
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
      for (const u of [alice, bob.userID]) await env.rest('im_open_login_svc/account_import', { UserID: u });
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
      await env.rest('im_open_login_svc/account_import', { UserID: bobID });
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
      for (const u of [aliceID, bob.userID]) await env.rest('im_open_login_svc/account_import', { UserID: u });
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
      await env.rest('im_open_login_svc/account_import', { UserID: peerID });
      const peer = unimPeer(env, peerID);
      try {
        await alice.loginReady();
        const nonce = randomBytes(4).toString('hex');
        const toPeer = `sdk to unim ${nonce}`;
        await alice.sendText(peerID, toPeer);
        const ev = await peer.waitFor((j) => j.event === 'message_received' && j.message && j.message.body && j.message.body.text === toPeer, `"${toPeer}"`);
        if (ev.message.from !== alice.userID) fail(`unim saw the message from ${safeJson(ev.message.from)}`);
        const toSdk = `unim to sdk ${nonce}`;
        peer.command(`send ${alice.userID} ${toSdk}`);
        const sent = await peer.waitFor((j) => j.sent || j.error, 'the send result');
        if (!sent.sent) fail(`unim could not send: ${safeJson(sent.error)}`);
        const got = await alice.waitFor('MESSAGE_RECEIVED', isText(toSdk));
        expectIncomingText(got, { from: peerID, to: alice.userID, text: toSdk });
        const n = peer.lines.filter((j) => j.event === 'message_received' && j.message.body.text === toPeer).length;
        if (n !== 1) fail(`unim announced "${toPeer}" ${n} times`);
        return 'SDK -> unim session and unim session -> SDK, once each';
      } finally {
        await peer.stop();
      }
    },
  },
];

// ---------------------------------------------------------------------------------------------

async function main() {
  const only = (process.env.UNIM_SDK_CHECKS || '').split(',').map((s) => s.trim()).filter(Boolean);
  const selected = only.length ? CHECKS.filter((c) => only.includes(c.name)) : CHECKS;
  if (only.length && selected.length !== only.length) {
    const known = new Set(CHECKS.map((c) => c.name));
    out(`unknown check name(s): ${only.filter((n) => !known.has(n)).join(', ')}`);
    return 2;
  }

  const emu = startEmulator();
  let conn;
  let passed = 0;
  let failed = 0;
  try {
    try {
      conn = await emu.info;
    } catch (e) {
      for (const c of selected) { out(`FAIL ${c.name}: ${describeErr(e)}`); failed++; }
      dumpTail();
      return summary(passed, failed);
    }
    capture('harness', `emulator: ${safeJson(conn)}`);
    let emulatorGone = null;
    emu.exited.then((x) => { emulatorGone = x; });

    for (const check of selected) {
      if (emulatorGone) {
        out(`FAIL ${check.name}: emulator exited (${safeJson(emulatorGone)})`);
        failed++;
        continue;
      }
      const env = makeEnv(conn);
      const mark = logTotal;
      const started = Date.now();
      try {
        const gone = emu.exited.then((x) => { throw new CheckError(`emulator exited during the check (${safeJson(x)})`); });
        gone.catch(() => {});
        const note = await withTimeout(Promise.race([check.run(env), gone]), CHECK_TIMEOUT_MS, `check ${check.name}`);
        out(`PASS ${check.name}${note ? ` (${note})` : ''} [${Date.now() - started} ms]`);
        passed++;
      } catch (e) {
        out(`FAIL ${check.name}: ${describeErr(e)} [${Date.now() - started} ms]`);
        failed++;
        dumpTail(mark);
      } finally {
        await env.cleanup();
      }
    }
  } finally {
    await emu.stop();
  }
  return summary(passed, failed);
}

function dumpTail(mark = 0) {
  if (VERBOSE) return;
  // Lines captured since `mark`, at most the last 200.
  const since = Math.min(logTotal - mark, 200, logTail.length);
  const lines = logTail.slice(logTail.length - since);
  if (!lines.length) return;
  process.stderr.write(`---- last ${lines.length} log lines (SDK, emulator, harness) ----\n${lines.join('\n')}\n---- end of log ----\n`);
}

function summary(passed, failed) {
  if (unhandled.length) out(`note: ${unhandled.length} unhandled rejection(s) inside the SDK (see logs)`);
  out(`tencent: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => { out(`harness error: ${e && e.stack ? e.stack : e}`); process.exit(1); },
);
