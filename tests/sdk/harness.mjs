// What the three SDK scripts (tencent.mjs, easemob.mjs, netease.mjs) share: log capture, the
// emulator process and its JSON line, `unim login` peers, awaitable event logs with timeouts,
// and the check runner with its PASS/FAIL report. Each script keeps only its vendor's SDK, REST
// calls and checks. Importing this module reroutes console.* into the log capture, so import it
// before loading an SDK.
//
// Environment (read here for every script):
//   UNIM_BIN                  unim binary (default: target/debug/unim; a relative path is
//                             taken from the repository root)
//   UNIM_SDK_EMULATOR_CMD     shell command used instead of "$UNIM_BIN emulator serve --vendor <v>";
//                             it must print the JSON line on stdout and then serve
//   UNIM_SDK_CHECKS           comma-separated check names to run (default: all)
//   UNIM_SDK_VERBOSE=1        stream SDK and emulator logs to stderr (otherwise they are shown
//                             only for failed checks)
//   UNIM_SDK_TIMEOUT_MS       per-check time limit (default 45000)

import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository root: the emulator and `unim login` run from there. */
export const REPO_ROOT = path.resolve(HERE, '..', '..');
/** UNIM_SDK_VERBOSE=1: stream every captured line to stderr. */
export const VERBOSE = process.env.UNIM_SDK_VERBOSE === '1';
const CHECK_TIMEOUT_MS = Number(process.env.UNIM_SDK_TIMEOUT_MS || 45000);
/** Time limit for one awaited SDK event, SDK call or REST call. */
export const EVENT_TIMEOUT_MS = 20000;
/** Random per run, so user names never collide with an earlier run's. */
export const RUN_ID = randomBytes(3).toString('hex');
// Connection-line fields that are secrets: never logged.
const SECRET_KEYS = ['secret_key', 'client_secret', 'app_secret'];

// ---------------------------------------------------------------------------------------------
// Log capture: the SDKs log through console.*; keep the tail for failure reports.

const logTail = [];
const LOG_TAIL_MAX = 400;
let logTotal = 0; // lines ever captured; logTail holds the last LOG_TAIL_MAX of them

/** Records one log line from `source` (sdk, emulator, harness, unim-peer). */
export function capture(source, text) {
  const line = `[${source}] ${text}`;
  if (VERBOSE) process.stderr.write(line + '\n');
  logTail.push(line);
  logTotal++;
  if (logTail.length > LOG_TAIL_MAX) logTail.shift();
}

/** One line of the script's report on stdout. */
export function out(line) { process.stdout.write(line + '\n'); }

/** JSON for logs and messages; never throws. */
export function safeJson(v) {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  try { return JSON.stringify(v); } catch (_) { return String(v); }
}

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

// An SDK may leave a rejection unhandled (e.g. a re-login after a reconnect); under Node that
// would end the process. Record it instead: checks judge by events.
const unhandled = [];
process.on('unhandledRejection', (reason) => {
  const text = describeErr(reason);
  unhandled.push(text);
  capture('harness', `unhandled rejection inside the SDK: ${text}`);
});

// ---------------------------------------------------------------------------------------------
// Failing and waiting

/** A check's own failure (as opposed to an SDK error it may catch and judge). */
export class CheckError extends Error {}
/** Fails the running check with `msg`. */
export function fail(msg) { throw new CheckError(msg); }
/** Resolves after `ms`; only for watching that something does *not* happen. */
export const delay = (ms) => new Promise((r) => setTimeout(r, ms));

/** `promise`, or a CheckError naming `what` after `ms`. */
export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new CheckError(`timed out after ${ms} ms waiting for ${what}`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Text for any error: SDK errors carry a `code` (Tencent, NetEase) or a `type` (Easemob). */
export function describeErr(e) {
  if (e instanceof CheckError) return e.message;
  if (e && e.code !== undefined) return `code ${e.code}: ${e.message || ''}`.trim();
  if (e && e.type !== undefined) return `type ${e.type}: ${e.message || ''}`.trim();
  return e && e.message ? e.message : safeJson(e);
}

/** Polls `probe` (a value, or undefined for "not yet") for state that has no event of its own. */
export async function eventually(probe, what, ms = EVENT_TIMEOUT_MS) {
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
    await delay(100);
  }
}

/** A growing list whose waiters also match items that arrived before they asked. */
export function feed() {
  const items = [];
  const waiters = [];
  return {
    items,
    push(item) {
      items.push(item);
      for (const w of [...waiters]) {
        if (w.pred(item)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(item); }
      }
    },
    waitFor(pred, what, ms = EVENT_TIMEOUT_MS) {
      const i = items.findIndex(pred);
      if (i >= 0) return Promise.resolve(items[i]);
      return withTimeout(new Promise((resolve) => waiters.push({ pred, resolve })), ms, what);
    },
  };
}

/**
 * The watched events of one SDK client. `record(name, value)` stores a value (an array for a
 * name in `lists` is stored item by item) and logs it unless the name is in `quiet`.
 */
export function eventLog(names, label, { lists = [], quiet = [] } = {}) {
  const feeds = Object.fromEntries(names.map((n) => [n, feed()]));
  const events = Object.fromEntries(names.map((n) => [n, feeds[n].items]));
  const order = []; // every recorded event's name, in arrival order
  return {
    events,
    order,
    record(name, value) {
      const items = lists.includes(name) && Array.isArray(value) ? value : [value];
      for (const item of items) feeds[name].push(item);
      order.push(name);
      if (!quiet.includes(name)) capture('harness', `${label}: event ${name} ${safeJson(value === undefined ? null : value)}`);
    },
    count: (name, pred = () => true) => events[name].filter(pred).length,
    // Resolves with the first matching event, including ones that already happened.
    waitFor: (name, pred = () => true, ms = EVENT_TIMEOUT_MS) => feeds[name].waitFor(pred, `${label}: ${name}`, ms),
  };
}

// ---------------------------------------------------------------------------------------------
// Processes

function unimBin() {
  return path.resolve(REPO_ROOT, process.env.UNIM_BIN || path.join('target', 'debug', 'unim'));
}

function exitOf(child) {
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
    child.once('error', (err) => resolve({ error: err }));
  });
}

function signalGroup(child, sig) {
  try { process.kill(-child.pid, sig); } catch (_) { try { child.kill(sig); } catch (_) { /* gone */ } }
}

const running = (child) => child.exitCode === null && child.signalCode === null;

/**
 * Starts the emulator for `vendor` and reads its connection line; `info` resolves with the parsed
 * line once it has every field in `keys` and passes `validate` (which throws CheckError).
 */
function startEmulator(vendor, keys, validate) {
  const custom = process.env.UNIM_SDK_EMULATOR_CMD;
  const opts = { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true };
  let child;
  let label;
  if (custom) {
    label = custom;
    child = spawn('sh', ['-c', custom], opts);
  } else {
    const bin = unimBin();
    label = `${bin} emulator serve --vendor ${vendor}`;
    child = spawn(bin, ['emulator', 'serve', '--vendor', vendor], opts);
  }
  const exited = exitOf(child);
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
    for (const k of keys) {
      if (j[k] === undefined || j[k] === '') throw new CheckError(`emulator's connection line lacks "${k}": ${line}`);
    }
    if (j.vendor !== undefined && j.vendor !== vendor) throw new CheckError(`emulator says vendor ${j.vendor}, expected ${vendor}`);
    validate(j);
    return j;
  });
  // Never leave the emulator behind, also when this process is interrupted.
  const killNow = () => { if (running(child)) signalGroup(child, 'SIGKILL'); };
  process.once('exit', killNow);
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => { killNow(); process.exit(sig === 'SIGINT' ? 130 : 143); });
  }
  const stop = async () => {
    if (!running(child)) return;
    signalGroup(child, 'SIGTERM');
    const done = await Promise.race([exited.then(() => true), delay(3000).then(() => false)]);
    if (!done) signalGroup(child, 'SIGKILL');
  };
  return { info, stop, exited, label };
}

/**
 * A `unim login --vendor <vendor> <args>` process as the peer of an SDK user: neutral events
 * come as JSON `lines` on stdout, `command('send <peer> <text>')` goes to stdin.
 */
export function unimPeer(vendor, args) {
  const child = spawn(unimBin(), ['login', '--vendor', vendor, ...args], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const got = feed();
  readline.createInterface({ input: child.stderr }).on('line', (l) => capture('unim-peer', l));
  readline.createInterface({ input: child.stdout }).on('line', (l) => {
    capture('unim-peer', l);
    let j;
    try { j = JSON.parse(l); } catch (_) { return; }
    got.push(j);
  });
  const exited = exitOf(child);
  return {
    lines: got.items,
    waitFor: (pred, what) => got.waitFor(pred, `unim peer: ${what}`),
    command(line) { child.stdin.write(`${line}\n`); },
    async stop() {
      if (child.exitCode !== null) return;
      try { child.stdin.write('logout\n'); } catch (_) { /* gone */ }
      const done = await Promise.race([exited.then(() => true), delay(5000).then(() => false)]);
      if (!done) child.kill('SIGKILL');
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Shared check steps

/**
 * Alice texts bob and bob texts alice, then one barrier text each way: texts on one connection
 * arrive in order, so a duplicate would have come before the barrier. Each text must arrive once
 * as `event` (checked by `expect(message, { from, to, text, sent })`, `sent` being what the
 * sender's sendText resolved with) and never at its sender. `addr(client)` is a client's user id.
 */
export async function textBothWays(alice, bob, { event, addr, isText, expect }) {
  const nonce = randomBytes(4).toString('hex');
  const t1 = `hello bob ${nonce}`;
  const t2 = `hello alice ${nonce}`;

  const s1 = await alice.sendText(addr(bob), t1);
  const m1 = await bob.waitFor(event, isText(t1));
  expect(m1, { from: addr(alice), to: addr(bob), text: t1, sent: s1 });

  const s2 = await bob.sendText(addr(alice), t2);
  const m2 = await alice.waitFor(event, isText(t2));
  expect(m2, { from: addr(bob), to: addr(alice), text: t2, sent: s2 });

  const b1 = `barrier to bob ${nonce}`;
  const b2 = `barrier to alice ${nonce}`;
  await alice.sendText(addr(bob), b1);
  await bob.waitFor(event, isText(b1));
  await bob.sendText(addr(alice), b2);
  await alice.waitFor(event, isText(b2));

  for (const [who, text] of [[bob, t1], [alice, t2]]) {
    const n = who.count(event, isText(text));
    if (n !== 1) fail(`${who.label} got ${event} for "${text}" ${n} times`);
  }
  const echoes = alice.count(event, isText(t1)) + bob.count(event, isText(t2));
  if (echoes) fail(`a sender got its own message as ${event} (${echoes} times)`);
  return { t1, t2, s1, s2, m1, m2 };
}

/** A `unim login` line announcing a received text `text`. */
export const isUnimText = (text) => (j) => j.event === 'message_received' && j.message && j.message.body && j.message.body.text === text;
/** A `unim login` line announcing the connected state. */
export const isUnimConnected = (j) => j.event === 'state_changed' && safeJson(j.state).includes('"connected"');

// ---------------------------------------------------------------------------------------------
// Running checks

function dumpTail(mark = 0) {
  if (VERBOSE) return;
  // Lines captured since `mark`, at most the last 200.
  const since = Math.min(logTotal - mark, 200, logTail.length);
  const lines = logTail.slice(logTail.length - since);
  if (!lines.length) return;
  process.stderr.write(`---- last ${lines.length} log lines (SDK, emulator, harness) ----\n${lines.join('\n')}\n---- end of log ----\n`);
}

function summary(vendor, passed, failed) {
  if (unhandled.length) out(`note: ${unhandled.length} unhandled rejection(s) inside the SDK (see logs)`);
  out(`${vendor}: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

function redacted(conn) {
  const shown = { ...conn };
  for (const k of SECRET_KEYS) if (k in shown) shown[k] = '<redacted>';
  return shown;
}

async function runChecks({ vendor, keys, validate, checks, makeEnv }) {
  const only = (process.env.UNIM_SDK_CHECKS || '').split(',').map((s) => s.trim()).filter(Boolean);
  const selected = only.length ? checks.filter((c) => only.includes(c.name)) : checks;
  if (only.length && selected.length !== only.length) {
    const known = new Set(checks.map((c) => c.name));
    out(`unknown check name(s): ${only.filter((n) => !known.has(n)).join(', ')}`);
    return 2;
  }

  const emu = startEmulator(vendor, keys, validate);
  let conn;
  let passed = 0;
  let failed = 0;
  try {
    try {
      conn = await emu.info;
    } catch (e) {
      for (const c of selected) { out(`FAIL ${c.name}: ${describeErr(e)}`); failed++; }
      dumpTail();
      return summary(vendor, passed, failed);
    }
    capture('harness', `emulator: ${safeJson(redacted(conn))}`);
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
  return summary(vendor, passed, failed);
}

/**
 * The whole script: starts the `vendor` emulator (its line must carry `keys` and pass
 * `validate`), runs the selected `checks` (each `{ name, run(env) }`, `env` from `makeEnv(conn)`
 * and `env.cleanup()` after each), reports, stops the emulator and exits 0 only if all passed.
 */
export function main({ vendor, keys, validate = () => {}, checks, makeEnv }) {
  runChecks({ vendor, keys, validate, checks, makeEnv }).then(
    (code) => process.exit(code),
    (e) => { out(`harness error: ${e && e.stack ? e.stack : e}`); process.exit(1); },
  );
}
