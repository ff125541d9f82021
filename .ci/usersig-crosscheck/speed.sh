#!/usr/bin/env bash
# Times UserSig generation in the OFFICIAL packages (PyPI and npm
# `tls-sig-api-v2`, as installed by run.sh into target/usersig-crosscheck/),
# for the README's comparison with `cargo bench -p unim-tencent --bench usersig`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
work="$here/../../target/usersig-crosscheck"
[ -d "$work/py" ] && [ -d "$work/node" ] || { echo "run run.sh first (it installs the packages)" >&2; exit 2; }
key=5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e
PYTHONPATH="$work/py" python3 - "$key" <<'PY'
import sys, timeit, TLSSigAPIv2
api = TLSSigAPIv2.TLSSigAPIv2(1400000000, sys.argv[1])
n = 20000
t = min(timeit.repeat(lambda: api.gen_sig("user_1234567890", 86400), number=n, repeat=5))
print(f"python tls-sig-api-v2 gen: {t / n * 1e6:.1f} us")
PY
node - "$key" "$work/node/node_modules/tls-sig-api-v2" <<'JS'
const Api = require(process.argv[3]);
const api = new Api.Api(1400000000, process.argv[2]);
const n = 20000;
let best = Infinity;
for (let r = 0; r < 5; r++) {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) api.genUserSig("user_1234567890", 86400);
  best = Math.min(best, Number(process.hrtime.bigint() - t0));
}
console.log(`node tls-sig-api-v2 gen: ${(best / n / 1000).toFixed(1)} us`);
JS
