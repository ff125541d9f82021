// NetEase Yunxin web SDK (@yxim/nim-web-sdk, its Node build) as a test peer of the unim emulator.
//
// Starts `unim emulator serve --vendor netease`, reads its one-line JSON connection info
// ({"vendor":"netease","rest_url":...,"lbs_url":...,"link":"host:port","app_key":...,
// "app_secret":...}), runs named checks with the official SDK under Node, stops the emulator,
// and exits 0 only if every check passed. Accounts are created through the emulator's server
// API (CheckSum-signed form posts), as an app server would. `netease.unim_peer` also runs
// `unim login --vendor netease` (the same binary) as the SDK user's peer, talking to it over
// stdin/stdout (`send <peer> <text>`, event JSON lines).
//
// Environment:
//   UNIM_BIN                  emulator binary (default: target/debug/unim; a relative path is
//                             taken from the repository root)
//   UNIM_SDK_EMULATOR_CMD     shell command used instead of "$UNIM_BIN emulator serve --vendor netease";
//                             it must print the JSON line on stdout and then serve
//   UNIM_SDK_CHECKS           comma-separated check names to run (default: all)
//   UNIM_SDK_VERBOSE=1        stream SDK and emulator logs to stderr (otherwise they are shown
//                             only for failed checks)
//   UNIM_SDK_TIMEOUT_MS       per-check time limit (default 45000)
//
// Protocol facts behind these checks: docs/protocols/netease.md. The SDK makes one deviceId per
// loaded module (every instance shares it, 4.1) and keeps one instance per `account` string; the
// module cannot be loaded twice in one process. So a second instance of the same account is made
// with the account spelled in upper case: the server lower-cases accids, the SDK's instance table
// does not.

import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO_ROOT = path.resolve(HERE, '..', '..');
const VERBOSE = process.env.UNIM_SDK_VERBOSE === '1';
const CHECK_TIMEOUT_MS = Number(process.env.UNIM_SDK_TIMEOUT_MS || 45000);
const EVENT_TIMEOUT_MS = 20000; // one awaited SDK event, SDK call or REST call
// The SDK's first reconnect comes 1600 ms after a socket loss (docs/protocols/netease.md 4.6);
// a check that must see *no* reconnect watches a little longer than that.
const NO_RECONNECT_WATCH_MS = 2500;
const SDK_MODULE = '@yxim/nim-web-sdk/dist/SDK/NIM_Web_NIM_nodejs.js';

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

// A rejection the SDK leaves unhandled must not end the process: record it, judge by events.
const unhandled = [];
process.on('unhandledRejection', (reason) => {
  const text = safeJson(reason);
  unhandled.push(text);
  capture('harness', `unhandled rejection inside the SDK: ${text}`);
});

const NIM = require(SDK_MODULE);

// ---------------------------------------------------------------------------------------------
// Helpers

class CheckError extends Error {}
function fail(msg) { throw new CheckError(msg); }
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

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
  return e && e.message ? e.message : safeJson(e);
}

const RUN_ID = randomBytes(3).toString('hex');
let userSeq = 0;
// Unique per call and lower case (NetEase lower-cases accids).
const uid = (name) => `${name}_${RUN_ID}_${++userSeq}`;

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
    label = `${bin} emulator serve --vendor netease`;
    child = spawn(bin, ['emulator', 'serve', '--vendor', 'netease'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
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
    for (const k of ['rest_url', 'lbs_url', 'link', 'app_key', 'app_secret']) {
      if (j[k] === undefined || j[k] === '') throw new CheckError(`emulator's connection line lacks "${k}": ${line}`);
    }
    if (j.vendor !== undefined && j.vendor !== 'netease') throw new CheckError(`emulator says vendor ${j.vendor}, expected netease`);
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
// Server API (the app server's side), straight to the emulator: form posts signed with
// CheckSum = sha1(AppSecret + Nonce + CurTime), CurTime in Unix seconds.

function makeRest(conn) {
  const base = conn.rest_url.replace(/\/+$/, '');

  async function call(p, form) {
    const nonce = randomBytes(8).toString('hex');
    const curTime = String(Math.floor(Date.now() / 1000));
    const checkSum = createHash('sha1').update(conn.app_secret + nonce + curTime).digest('hex');
    const headers = {
      AppKey: conn.app_key,
      Nonce: nonce,
      CurTime: curTime,
      CheckSum: checkSum,
      'Content-Type': 'application/x-www-form-urlencoded;charset=utf-8',
    };
    const what = `server API ${p}`;
    const res = await withTimeout(
      fetch(`${base}/${p}`, { method: 'POST', headers, body: new URLSearchParams(form).toString() }),
      EVENT_TIMEOUT_MS,
      what,
    );
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch (_) { json = null; }
    capture('harness', `${what} ${safeJson(Object.keys(form))} -> ${res.status} ${text.slice(0, 300)}`);
    if (res.status !== 200 || !json || json.code !== 200) fail(`${what} answered HTTP ${res.status}: ${text.slice(0, 300)}`);
    return json;
  }

  return {
    call,
    async createUser(accid, token, name) {
      const j = await call('user/create.action', { accid, token, name });
      if (!j.info || j.info.accid !== accid) fail(`user/create.action did not return info.accid ${accid}: ${safeJson(j)}`);
      return j.info;
    },
    // A p2p text sent by the app server as `from` (msg/sendMsg.action); resolves with data {msgid, timetag}.
    async sendText(from, to, text) {
      const j = await call('msg/sendMsg.action', { from, ope: '0', to, type: '0', body: JSON.stringify({ msg: text }) });
      if (!j.data || !j.data.msgid) fail(`msg/sendMsg.action returned no data.msgid: ${safeJson(j)}`);
      return j.data;
    },
    block(accid, needkick, kickNotifyExt) {
      const form = { accid, needkick: String(needkick) };
      if (kickNotifyExt !== undefined) form.kickNotifyExt = kickNotifyExt;
      return call('user/block.action', form);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// SDK clients

const WATCHED = ['onconnect', 'onsyncdone', 'onofflinemsgs', 'onmsg', 'onloginportschange', 'onwillreconnect', 'ondisconnect', 'onerror',
  'onsessions', 'onupdatesession'];

function makeEnv(conn) {
  const rest = makeRest(conn);
  const clients = [];
  // A client of `account`; it connects at once.
  // `options` are more NIM.getInstance options (e.g. syncSessionUnread).
  function client(account, token, { label = account, options = {} } = {}) {
    const events = Object.fromEntries(WATCHED.map((n) => [n, []]));
    const order = []; // every watched event's name, in arrival order
    const waiters = [];
    const handlers = {};
    for (const name of WATCHED) {
      handlers[name] = (ev) => {
        // onofflinemsgs carries the messages of one session; the others one value.
        events[name].push(ev);
        order.push(name);
        for (const w of [...waiters]) {
          if (w.name === name && w.pred(ev)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(ev);
          }
        }
        if (name !== 'onmsg') capture('harness', `${label}: event ${name} ${safeJson(ev === undefined ? null : ev)}`);
      };
    }
    const host = conn.link;
    const nim = NIM.getInstance({
      appKey: conn.app_key,
      account,
      token,
      lbsUrl: conn.lbs_url,
      defaultLink: host,
      secure: false,
      db: false,
      logLevel: VERBOSE ? 'debug' : 'info',
      privateConf: {
        lbs_web: conn.lbs_url,
        link_web: host,
        link_ssl_web: false,
        https_enabled: false,
        isDataReportEnable: false,
        isABTestEnable: false,
        isMixStoreEnable: false,
      },
      ...options,
      ...handlers,
    });
    const cl = {
      account,
      label,
      nim,
      events,
      order,
      count: (name, pred = () => true) => events[name].filter(pred).length,
      // Resolves with the first matching event, including ones that already happened.
      waitFor(name, pred = () => true, ms = EVENT_TIMEOUT_MS) {
        const i = events[name].findIndex(pred);
        if (i >= 0) return Promise.resolve(events[name][i]);
        return withTimeout(new Promise((resolve) => waiters.push({ name, pred, resolve })), ms, `${label}: ${name}`);
      },
      async ready() {
        await cl.waitFor('onconnect');
        await cl.waitFor('onsyncdone');
      },
      // An SDK call with a done(err, result) callback, as a promise.
      call(method, args = {}) {
        return withTimeout(
          new Promise((resolve, reject) => {
            nim[method]({ ...args, done: (err, res) => (err ? reject(err) : resolve(res)) });
          }),
          EVENT_TIMEOUT_MS,
          `${label}: ${method}()`,
        );
      },
      async sendText(to, text) {
        let msg;
        try {
          msg = await cl.call('sendText', { scene: 'p2p', to, text });
        } catch (e) {
          fail(`${label}: sendText to ${to} failed: ${describeErr(e)}`);
        }
        if (!msg || !msg.idServer) fail(`${label}: sendText resolved without an idServer: ${safeJson(msg)}`);
        return msg;
      },
    };
    clients.push(cl);
    return cl;
  }

  async function cleanup() {
    for (const cl of clients.splice(0)) {
      try {
        await withTimeout(new Promise((resolve) => cl.nim.destroy({ done: () => resolve() })), 5000, `${cl.label}: destroy()`);
      } catch (e) {
        capture('harness', `${cl.label}: cleanup: ${describeErr(e)}`);
      }
    }
  }

  // An account created by the app server, with a static token.
  async function user(name) {
    const accid = uid(name);
    const token = `tk${randomBytes(8).toString('hex')}`;
    await rest.createUser(accid, token, name);
    return { accid, token };
  }

  return { client, cleanup, rest, user, conn };
}

const isText = (text) => (m) => m && m.text === text;

function expectIncomingText(m, { from, to, text, idServer }) {
  const problems = [];
  if (m.scene !== 'p2p') problems.push(`scene=${safeJson(m.scene)} (want p2p)`);
  if (m.from !== from) problems.push(`from=${safeJson(m.from)} (want ${from})`);
  if (m.to !== to) problems.push(`to=${safeJson(m.to)} (want ${to})`);
  if (m.type !== 'text') problems.push(`type=${safeJson(m.type)} (want text)`);
  if (m.text !== text) problems.push('text differs');
  if (String(m.idServer) !== String(idServer)) problems.push(`idServer=${safeJson(m.idServer)} (want the sender's ${idServer})`);
  if (m.fromClientType !== 'Web') problems.push(`fromClientType=${safeJson(m.fromClientType)} (want Web)`);
  if (problems.length) fail(`message "${text}" arrived with ${problems.join(', ')}`);
}

// No reconnect (and nothing else) after a terminal disconnect: watched a little past the SDK's first backoff.
async function expectStaysDown(cl) {
  await delay(NO_RECONNECT_WATCH_MS);
  if (cl.count('onwillreconnect')) fail(`${cl.label}: the SDK started reconnecting: ${safeJson(cl.events.onwillreconnect)}`);
  if (cl.count('ondisconnect') !== 1) fail(`${cl.label}: ondisconnect fired ${cl.count('ondisconnect')} times: ${safeJson(cl.events.ondisconnect)}`);
}

// A `unim login --vendor netease` process as the peer of an SDK user: neutral events come as JSON
// lines on stdout, `send <peer> <text>` goes to stdin.
function unimPeer(conn, accid, token) {
  const bin = path.resolve(REPO_ROOT, process.env.UNIM_BIN || path.join('target', 'debug', 'unim'));
  const args = ['login', '--vendor', 'netease', '--user', accid, '--token', token, '--lbs-url', conn.lbs_url,
    '--default-link', conn.link, '--app-key', conn.app_key];
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

const isUnimText = (text) => (j) => j.event === 'message_received' && j.message && j.message.body && j.message.body.text === text;

// The session `id` among the sessions the SDK announced (onsessions, then onupdatesession), newest state.
function sessionOf(cl, id) {
  const updates = cl.events.onupdatesession.filter((s) => s && s.id === id);
  if (updates.length) return updates[updates.length - 1];
  for (const list of cl.events.onsessions.slice().reverse()) {
    const hit = (Array.isArray(list) ? list : []).find((s) => s && s.id === id);
    if (hit) return hit;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Checks

const CHECKS = [
  {
    name: 'netease.login',
    async run(env) {
      const u = await env.user('alice');
      const a = env.client(u.accid, u.token, { label: 'alice' });
      await a.ready();
      const c = a.events.onconnect[0];
      if (!c || !c.connectionId) fail(`onconnect came without a connectionId: ${safeJson(c)}`);
      if (a.count('onconnect') !== 1) fail(`onconnect fired ${a.count('onconnect')} times`);
      if (a.count('ondisconnect')) fail(`ondisconnect fired: ${safeJson(a.events.ondisconnect)}`);
      return `onconnect (connectionId ${c.connectionId}) then onsyncdone`;
    },
  },
  {
    name: 'netease.login_bad_token',
    async run(env) {
      const u = await env.user('badtok');
      const a = env.client(u.accid, `${u.token}-wrong`, { label: 'alice(bad token)' });
      const d = await a.waitFor('ondisconnect');
      if (Number(d.code) !== 302) fail(`ondisconnect came with code ${safeJson(d.code)}, expected 302: ${safeJson(d)}`);
      if (d.willReconnect !== false) fail(`ondisconnect says willReconnect ${safeJson(d.willReconnect)}`);
      if (a.count('onconnect')) fail('onconnect fired for a refused login');
      await expectStaysDown(a);
      return `ondisconnect code 302 "${d.message}", willReconnect false, no second attempt`;
    },
  },
  {
    name: 'netease.p2p_text',
    // Two accounts in one SDK module: their logins carry the same deviceId (tag 13) and
    // different sessions (tag 26); each must get the other's text exactly once.
    async run(env) {
      const [ua, ub] = await Promise.all([env.user('alice'), env.user('bob')]);
      const alice = env.client(ua.accid, ua.token, { label: 'alice' });
      const bob = env.client(ub.accid, ub.token, { label: 'bob' });
      await Promise.all([alice.ready(), bob.ready()]);
      const nonce = randomBytes(4).toString('hex');
      const t1 = `hello bob ${nonce}`;
      const t2 = `hello alice ${nonce}`;

      const s1 = await alice.sendText(bob.account, t1);
      const m1 = await bob.waitFor('onmsg', isText(t1));
      expectIncomingText(m1, { from: alice.account, to: bob.account, text: t1, idServer: s1.idServer });

      const s2 = await bob.sendText(alice.account, t2);
      const m2 = await alice.waitFor('onmsg', isText(t2));
      expectIncomingText(m2, { from: bob.account, to: alice.account, text: t2, idServer: s2.idServer });

      // Barrier: one more message each way; a duplicate of t1/t2 would have come before these.
      const b1 = `barrier to bob ${nonce}`;
      const b2 = `barrier to alice ${nonce}`;
      await alice.sendText(bob.account, b1);
      await bob.waitFor('onmsg', isText(b1));
      await bob.sendText(alice.account, b2);
      await alice.waitFor('onmsg', isText(b2));

      for (const [who, text] of [[bob, t1], [alice, t2]]) {
        const n = who.count('onmsg', isText(text));
        if (n !== 1) fail(`${who.label} got onmsg for "${text}" ${n} times`);
      }
      const echoes = alice.count('onmsg', isText(t1)) + bob.count('onmsg', isText(t2));
      if (echoes) fail(`a sender got its own message as onmsg (${echoes} times)`);
      if (s1.idServer === s2.idServer) fail(`two messages got one idServer ${s1.idServer}`);
      const shared = m1.fromDeviceId && m1.fromDeviceId === m2.fromDeviceId ? 'a shared' : 'distinct';
      return `alice -> bob and bob -> alice, each received once, idServer as the sender was told (${shared} deviceId)`;
    },
  },
  {
    name: 'netease.offline_text',
    // A text to an account with no client online arrives with its next login's sync (4_4 before
    // sync done): onofflinemsgs, not onmsg, exactly once.
    async run(env) {
      const [ua, ub] = await Promise.all([env.user('alice'), env.user('bob')]);
      const alice = env.client(ua.accid, ua.token, { label: 'alice' });
      await alice.ready();
      const text = `while you were away ${randomBytes(4).toString('hex')}`;
      const sent = await alice.sendText(ub.accid, text);
      const bob = env.client(ub.accid, ub.token, { label: 'bob' });
      const batch = await bob.waitFor('onofflinemsgs');
      await bob.waitFor('onsyncdone');
      const msgs = (batch && batch.msgs) || [];
      const hits = msgs.filter(isText(text));
      if (hits.length !== 1) fail(`onofflinemsgs held the text ${hits.length} times: ${safeJson(batch)}`);
      expectIncomingText(hits[0], { from: ua.accid, to: ub.accid, text, idServer: sent.idServer });
      // Barrier: a live message after the sync; a late duplicate of the offline one would come first.
      const live = `live ${text}`;
      await alice.sendText(ub.accid, live);
      await bob.waitFor('onmsg', isText(live));
      if (bob.count('onmsg', isText(text))) fail('the offline text also came as onmsg');
      if (bob.count('onofflinemsgs') !== 1) fail(`onofflinemsgs fired ${bob.count('onofflinemsgs')} times`);
      return 'onofflinemsgs with the text once before onsyncdone, no onmsg for it';
    },
  },
  {
    name: 'netease.kicked_by_ban',
    async run(env) {
      const u = await env.user('banned');
      const a = env.client(u.accid, u.token, { label: 'alice' });
      await a.ready();
      await env.rest.block(u.accid, true, 'banned by the harness');
      const d = await a.waitFor('ondisconnect');
      if (d.code !== 'kicked' || d.reason !== 'serverKick') fail(`ondisconnect came with ${safeJson(d)}, expected code kicked, reason serverKick`);
      if (d.from !== 'Server') fail(`the kick names ${safeJson(d.from)}, expected Server`);
      if (d.custom !== 'banned by the harness') fail(`the kick's custom is ${safeJson(d.custom)}, expected the kickNotifyExt`);
      if (d.willReconnect !== false) fail(`ondisconnect says willReconnect ${safeJson(d.willReconnect)}`);
      await expectStaysDown(a);
      return `ondisconnect kicked/serverKick from Server once, no reconnect`;
    },
  },
  {
    name: 'netease.kicked_by_second_login',
    // A second web instance of the same account (its own session, the same deviceId) evicts the
    // first (one desktop at a time, docs/protocols/netease.md 6.3).
    async run(env) {
      const u = await env.user('twice');
      const first = env.client(u.accid, u.token, { label: 'alice#1' });
      await first.ready();
      const second = env.client(u.accid.toUpperCase(), u.token, { label: 'alice#2' });
      const d = await first.waitFor('ondisconnect');
      await second.ready();
      if (d.code !== 'kicked' || d.reason !== 'samePlatformKick') fail(`ondisconnect came with ${safeJson(d)}, expected code kicked, reason samePlatformKick`);
      if (d.from !== 'Web') fail(`the kick names ${safeJson(d.from)}, expected Web`);
      if (d.willReconnect !== false) fail(`ondisconnect says willReconnect ${safeJson(d.willReconnect)}`);
      await expectStaysDown(first);
      if (second.count('ondisconnect')) fail(`the new login was disconnected: ${safeJson(second.events.ondisconnect)}`);
      if (second.count('onconnect') !== 1) fail(`the new login connected ${second.count('onconnect')} times`);
      return 'the first instance got kicked/samePlatformKick from Web once; the second stays';
    },
  },
  {
    name: 'netease.logout',
    async run(env) {
      const u = await env.user('bye');
      const a = env.client(u.accid, u.token, { label: 'alice' });
      await a.ready();
      try {
        await a.call('logout');
      } catch (e) {
        fail(`logout() failed: ${describeErr(e)}`);
      }
      const d = await a.waitFor('ondisconnect');
      if (d.code !== 'logout') fail(`ondisconnect came with ${safeJson(d)}, expected code logout`);
      await expectStaysDown(a);
      return `logout() done, ondisconnect ${safeJson(d.message)} once, no reconnect`;
    },
  },
  {
    name: 'netease.offline_messages',
    // Three texts the app server sends (msg/sendMsg.action) while the account has no client come
    // with its next login's sync: one onofflinemsgs, in order, each once, before onsyncdone.
    async run(env) {
      const [ua, ub] = await Promise.all([env.user('alice'), env.user('bob')]);
      const nonce = randomBytes(4).toString('hex');
      const texts = [1, 2, 3].map((i) => `server text ${i} ${nonce}`);
      const sent = [];
      for (const t of texts) sent.push(await env.rest.sendText(ua.accid, ub.accid, t));
      const bob = env.client(ub.accid, ub.token, { label: 'bob' });
      const batch = await bob.waitFor('onofflinemsgs');
      await bob.waitFor('onsyncdone');
      if (bob.order.indexOf('onofflinemsgs') > bob.order.indexOf('onsyncdone')) fail(`onofflinemsgs came after onsyncdone: ${safeJson(bob.order)}`);
      const msgs = ((batch && batch.msgs) || []).filter((m) => texts.includes(m.text));
      const got = msgs.map((m) => m.text);
      if (safeJson(got) !== safeJson(texts)) fail(`onofflinemsgs held ${safeJson(got)}, want ${safeJson(texts)} in order`);
      msgs.forEach((m, i) => {
        if (String(m.idServer) !== String(sent[i].msgid)) fail(`"${m.text}" has idServer ${m.idServer}, the server API said ${sent[i].msgid}`);
        if (m.from !== ua.accid || m.to !== ub.accid || m.scene !== 'p2p') fail(`"${m.text}" came as ${safeJson({ from: m.from, to: m.to, scene: m.scene })}`);
      });
      const live = `live ${nonce}`;
      await env.rest.sendText(ua.accid, ub.accid, live);
      await bob.waitFor('onmsg', isText(live));
      const again = texts.filter((t) => bob.count('onmsg', isText(t)));
      if (again.length) fail(`offline texts also came as onmsg: ${safeJson(again)}`);
      if (bob.count('onofflinemsgs') !== 1) fail(`onofflinemsgs fired ${bob.count('onofflinemsgs')} times`);
      return 'three server API texts in one onofflinemsgs, in order, before onsyncdone, once each';
    },
  },
  {
    name: 'netease.session_unread',
    // The SDK's session list counts two texts received while offline as unread; resetSessionUnread
    // (with syncSessionUnread, so the SDK tells the server with 7_16) clears it.
    async run(env) {
      const [ua, ub] = await Promise.all([env.user('alice'), env.user('bob')]);
      const alice = env.client(ua.accid, ua.token, { label: 'alice' });
      await alice.ready();
      const nonce = randomBytes(4).toString('hex');
      await alice.sendText(ub.accid, `unread 1 ${nonce}`);
      await alice.sendText(ub.accid, `unread 2 ${nonce}`);
      const bob = env.client(ub.accid, ub.token, { label: 'bob', options: { syncSessionUnread: true } });
      await bob.ready();
      const id = `p2p-${ua.accid}`;
      const before = sessionOf(bob, id);
      if (!before) fail(`the SDK announced no session ${id}: ${safeJson({ sessions: bob.events.onsessions, updates: bob.events.onupdatesession })}`);
      if (before.unread !== 2) fail(`session ${id} shows ${safeJson(before.unread)} unread, want 2: ${safeJson(before)}`);
      await withTimeout(new Promise((resolve, reject) => bob.nim.resetSessionUnread(id, (err) => (err ? reject(err) : resolve()))),
        EVENT_TIMEOUT_MS, 'bob: resetSessionUnread()');
      const after = await bob.waitFor('onupdatesession', (s) => s && s.id === id && s.unread === 0);
      return `session ${id} with 2 unread, then ${after.unread} after resetSessionUnread`;
    },
  },
  {
    name: 'netease.unim_peer',
    // The SDK and a unim session (`unim login --vendor netease`) exchange a text each way, once each.
    async run(env) {
      const [ua, up] = await Promise.all([env.user('alice'), env.user('unim')]);
      const alice = env.client(ua.accid, ua.token, { label: 'alice' });
      const peer = unimPeer(env.conn, up.accid, up.token);
      try {
        await alice.ready();
        await peer.waitFor((j) => j.event === 'sync_finished' || (j.event === 'state_changed' && j.state === 'connected') || j.state === 'connected', 'the login');
        const nonce = randomBytes(4).toString('hex');
        const toPeer = `sdk to unim ${nonce}`;
        const s1 = await alice.sendText(up.accid, toPeer);
        const ev = await peer.waitFor(isUnimText(toPeer), `"${toPeer}"`);
        if (ev.message.from !== ua.accid || String(ev.message.server_id) !== String(s1.idServer)) fail(`unim saw ${safeJson(ev.message)}`);
        const toSdk = `unim to sdk ${nonce}`;
        peer.command(`send ${ua.accid} ${toSdk}`);
        const sent = await peer.waitFor((j) => j.sent || j.error, 'the send result');
        if (!sent.sent) fail(`unim could not send: ${safeJson(sent.error)}`);
        const got = await alice.waitFor('onmsg', isText(toSdk));
        if (got.from !== up.accid || String(got.idServer) !== String(sent.sent.server_id)) fail(`the SDK got ${safeJson({ from: got.from, idServer: got.idServer })}`);
        // Barrier both ways, then count.
        const b = `barrier ${nonce}`;
        await alice.sendText(up.accid, b);
        await peer.waitFor(isUnimText(b), `"${b}"`);
        const n = peer.lines.filter(isUnimText(toPeer)).length;
        if (n !== 1) fail(`unim announced "${toPeer}" ${n} times`);
        if (alice.count('onmsg', isText(toSdk)) !== 1) fail(`the SDK got "${toSdk}" ${alice.count('onmsg', isText(toSdk))} times`);
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
    capture('harness', `emulator: ${safeJson({ ...conn, app_secret: '<redacted>' })}`);
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
  out(`netease: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => { out(`harness error: ${e && e.stack ? e.stack : e}`); process.exit(1); },
);
