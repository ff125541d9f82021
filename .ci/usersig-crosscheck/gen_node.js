// Generate UserSigs with the OFFICIAL npm package `tls-sig-api-v2`.
//
// Usage: node gen_node.js <path to the installed package's TLSSigAPIv2.js>
// Reads JSON lines {"user", "sdkappid", "key", "time", "expire"} on stdin and
// writes the same objects plus "sig" on stdout. The package reads the clock
// with Date.now() and takes no time argument, so Date.now is overridden for
// each signature (vendor notes, tencent.md 1.3).
//
// The package is installed at run time by run.sh; nothing of it is copied
// into the project.
'use strict';

const readline = require('readline');

const official = require(process.argv[2]);
const realNow = Date.now;

const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
rl.on('line', (line) => {
  if (!line.trim()) return;
  const c = JSON.parse(line);
  Date.now = () => c.time * 1000;
  try {
    c.sig = new official.Api(c.sdkappid, c.key).genUserSig(c.user, c.expire);
  } finally {
    Date.now = realNow;
  }
  process.stdout.write(JSON.stringify(c) + '\n');
});
