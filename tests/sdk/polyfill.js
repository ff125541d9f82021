'use strict';
// Browser globals that the vendors' web SDKs expect, for plain Node 20.
// Load this before requiring an SDK. See shared vendors/official-sdks.md §4.
//
// The SDKs are test peers: they must only ever talk to the local emulator.
// The XMLHttpRequest below therefore refuses any non-loopback URL.

const WebSocketImpl = require('ws');
const XHR2 = require('xhr2');

const g = globalThis;

g.window = g;
g.self = g;
// Always the `ws` package, also on Node versions that ship their own WebSocket.
// A browser never throws for a socket error nobody listens to; `ws` (an EventEmitter) does,
// e.g. when the SDK detaches its handlers and closes a socket that is still connecting.
class BrowserLikeWebSocket extends WebSocketImpl {
  constructor(...args) {
    super(...args);
    this.on('error', () => {});
  }
}
g.WebSocket = BrowserLikeWebSocket;

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;
class LoopbackOnlyXHR extends XHR2 {
  open(method, url, ...rest) {
    let host = '';
    try { host = new URL(String(url), 'http://localhost/').hostname; } catch (_) { host = ''; }
    if (!LOOPBACK.test(host)) {
      throw new Error(`polyfill: refusing non-loopback HTTP request to ${url}`);
    }
    return super.open(method, url, ...rest);
  }
}
g.XMLHttpRequest = LoopbackOnlyXHR;

const store = new Map();
g.localStorage = {
  getItem: (k) => (store.has(String(k)) ? store.get(String(k)) : null),
  setItem: (k, v) => { store.set(String(k), String(v)); },
  removeItem: (k) => { store.delete(String(k)); },
  clear: () => { store.clear(); },
  key: (i) => [...store.keys()][i] ?? null,
  get length() { return store.size; },
};

// Node 20 has no `navigator`; newer Node versions have a read-only one.
Object.defineProperty(g, 'navigator', {
  value: { userAgent: 'node', language: 'en-US', onLine: true },
  configurable: true,
  writable: true,
});

g.addEventListener = () => {};
g.removeEventListener = () => {};

g.document = {
  addEventListener() {},
  removeEventListener() {},
  hidden: false,
  visibilityState: 'visible',
  charset: 'UTF-8', // needed by the Tencent SDK when it builds a message
};

g.location = {
  href: 'http://localhost/',
  protocol: 'http:',
  host: 'localhost',
  hostname: 'localhost',
  port: '',
  pathname: '/',
  search: '',
  hash: '',
  origin: 'http://localhost',
};
