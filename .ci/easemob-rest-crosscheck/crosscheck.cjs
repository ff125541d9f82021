'use strict';
// Drives the official easemob-websdk's group calls against the emulator's
// Easemob face (see run.sh): each step calls the SDK, then checks what the
// SDK made of the answer. Only loopback URLs are ever requested.

// --- the few browser globals the SDK needs under Node -----------------------
const WS = require('ws');
const XHR = require('xhr2');
const g = globalThis;
g.window = g;
g.self = g;
g.WebSocket = class extends WS {
  constructor(...args) {
    super(...args);
    this.on('error', () => {}); // a browser socket never throws an unheard error
  }
};
g.XMLHttpRequest = class extends XHR {
  open(method, url, ...rest) {
    const host = new URL(String(url), 'http://127.0.0.1/').hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`refusing a request to ${url}`);
    return super.open(method, url, ...rest);
  }
};
const kept = new Map();
g.localStorage = {
  getItem: (k) => (kept.has(k) ? kept.get(k) : null),
  setItem: (k, v) => kept.set(k, String(v)),
  removeItem: (k) => kept.delete(k),
  clear: () => kept.clear(),
};
Object.defineProperty(g, 'navigator', { value: { userAgent: 'node', onLine: true }, configurable: true, writable: true });
g.addEventListener = () => {};
g.removeEventListener = () => {};
g.document = { addEventListener() {}, removeEventListener() {}, hidden: false, visibilityState: 'visible' };
g.location = { href: 'http://127.0.0.1/', protocol: 'http:', hostname: '127.0.0.1', host: '127.0.0.1', origin: 'http://127.0.0.1' };

const { spawn } = require('child_process');
const readline = require('readline');

const TIMEOUT_MS = 20000;
const PASSWORD = 'crosscheck-pw';

function sdk() {
  // One copy per user: the bundle keeps some state at module level.
  const id = require.resolve('easemob-websdk');
  delete require.cache[id];
  const EC = require(id);
  if (EC.logger && EC.logger.setLevel) EC.logger.setLevel(5);
  return EC;
}

function within(promise, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

async function main() {
  const emulator = spawn(process.env.UNIM_BIN, ['emulator', 'serve', '--vendor', 'easemob'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const firstLine = await within(
    new Promise((resolve) => readline.createInterface({ input: emulator.stdout }).once('line', resolve)),
    'the emulator',
  );
  const conn = JSON.parse(firstLine);
  const [org, app] = conn.app_key.split('#');
  const base = `${conn.rest_url}/${org}/${app}`;
  async function rest(method, path, body, token) {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const r = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
    return r.json();
  }
  const token = await rest('POST', '/token', {
    grant_type: 'client_credentials',
    client_id: conn.client_id,
    client_secret: conn.client_secret,
  });
  const users = ['alice', 'bob', 'carol', 'dave'];
  await rest('POST', '/users', users.map((username) => ({ username, password: PASSWORD })), token.access_token);

  async function login(user) {
    const EC = sdk();
    const c = new EC.connection({
      appKey: conn.app_key,
      isHttpDNS: false,
      url: conn.ws_url,
      apiUrl: conn.rest_url,
      https: false,
      isFixedDeviceId: false,
      deviceId: `${user}${Math.random().toString(16).slice(2, 8)}`,
    });
    await within(c.open({ user, pwd: PASSWORD }), `${user}: open()`);
    return c;
  }

  let passed = 0;
  let failed = 0;
  async function step(name, call, check) {
    try {
      const answer = await within(call(), name);
      const problem = check(answer);
      if (problem) throw new Error(problem);
      passed += 1;
      console.log(`ok    ${name}`);
      return answer;
    } catch (e) {
      failed += 1;
      console.log(`FAIL  ${name}: ${e && e.message ? e.message : JSON.stringify(e)}`);
      return null;
    }
  }
  const refused = (name, call, type) =>
    step(
      name,
      () => call().then(() => ({ accepted: true }), (e) => e),
      (e) => (e.accepted ? 'the call was accepted' : e.type === type ? null : `error type ${e.type}, not ${type}`),
    );

  const alice = await login('alice');
  const dave = await login('dave');
  const created = await step(
    'createGroupVNext (public, free)',
    () =>
      alice.createGroupVNext({
        groupName: 'crosscheck',
        description: 'made by the official SDK',
        members: ['bob'],
        isPublic: true,
        needApprovalToJoin: false,
        allowMemberToInvite: false,
        inviteNeedConfirm: false,
        maxMemberCount: 100,
      }),
    (r) => (/^\d{15}$/.test(r.data.groupId) ? null : `group id ${r.data.groupId} is not 15 digits`),
  );
  if (!created) throw new Error('no group to go on with');
  const groupId = created.data.groupId;
  await step(
    'getGroupInfo',
    () => alice.getGroupInfo({ groupId }),
    (r) => {
      const d = r.data[0];
      return d.name === 'crosscheck' && d.owner === 'alice' && d.affiliations_count === 2 && d.public === true
        ? null
        : `unexpected details ${JSON.stringify(d)}`;
    },
  );
  await step('inviteUsersToGroup', () => alice.inviteUsersToGroup({ groupId, users: ['carol'] }), () => null);
  await step(
    'listGroupMembers',
    () => alice.listGroupMembers({ groupId, pageNum: 1, pageSize: 10 }),
    (r) => (same(r.data, [{ owner: 'alice' }, { member: 'bob' }, { member: 'carol' }]) ? null : JSON.stringify(r.data)),
  );
  await step(
    'getGroupMembers (cursor pages)',
    () => alice.getGroupMembers({ groupId, limit: 2 }),
    (r) => (r.data.members.length === 2 && r.data.cursor ? null : JSON.stringify(r.data)),
  );
  await step(
    'modifyGroup',
    () => alice.modifyGroup({ groupId, groupName: 'renamed', description: 'new words' }),
    (r) => (r.data.groupname === true ? null : JSON.stringify(r.data)),
  );
  await step('setGroupAdmin', () => alice.setGroupAdmin({ groupId, username: 'bob' }), () => null);
  await step(
    'getGroupAdmin',
    () => alice.getGroupAdmin({ groupId }),
    (r) => (same(r.data, ['bob']) ? null : JSON.stringify(r.data)),
  );
  await step(
    'muteGroupMember',
    () => alice.muteGroupMember({ groupId, username: 'carol', muteDuration: 60000 }),
    () => null,
  );
  await step(
    'getGroupMuteList',
    () => alice.getGroupMuteList({ groupId }),
    (r) => (r.data.length === 1 && r.data[0].user === 'carol' ? null : JSON.stringify(r.data)),
  );
  await step('unmuteGroupMember', () => alice.unmuteGroupMember({ groupId, username: 'carol' }), () => null);
  await step('removeGroupAdmin', () => alice.removeGroupAdmin({ groupId, username: 'bob' }), () => null);
  await refused('destroyGroup by a non-member is refused', () => dave.destroyGroup({ groupId }), 602);
  await step('joinGroup (free)', () => dave.joinGroup({ groupId, message: 'hi' }), () => null);
  await step(
    'getJoinedGroups',
    () => dave.getJoinedGroups({ pageNum: 1, pageSize: 20 }),
    (r) => (r.data.length === 1 && r.data[0].groupid === groupId ? null : JSON.stringify(r.data)),
  );
  await step('leaveGroup', () => dave.leaveGroup({ groupId }), () => null);
  await step('removeGroupMember', () => alice.removeGroupMember({ groupId, username: 'carol' }), () => null);
  await step('changeGroupOwner', () => alice.changeGroupOwner({ groupId, newOwner: 'bob' }), () => null);
  const bob = await login('bob');
  await step('destroyGroup by the new owner', () => bob.destroyGroup({ groupId }), () => null);
  await refused('getGroupInfo of a destroyed group', () => alice.getGroupInfo({ groupId }), 605);

  for (const c of [alice, dave, bob]) c.close();
  emulator.kill();
  console.log(`crosscheck: ${passed}/${passed + failed} passed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`crosscheck: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});
