#!/usr/bin/env python3
"""Cross-check unim's UserSig code against the official TLSSigAPIv2 packages.

Run through run.sh, which installs the official packages and builds unim.

(a) The OFFICIAL PyPI and npm `tls-sig-api-v2` packages sign random users at
    random fixed times; `unim usersig verify` must accept each UserSig at
    now = time and now = time + expire, report it expired at
    time + expire + 1, and refuse it for another user or key.
(b) `unim usersig gen` signs random users at random times; the independent
    verifier below (written from the vendor notes, tencent.md 1.1/1.2, not
    from any official code) must accept each UserSig and refuse tampered
    ones, which `unim usersig verify` must refuse too.

The independent verifier is also run on the official UserSigs of (a), which
checks the verifier itself. Prints one line per failure and a summary; exits
non-zero on any failure.
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
PRINTABLE = [chr(c) for c in range(0x20, 0x7F)]
DOC_KEYS = {"TLS.ver", "TLS.identifier", "TLS.sdkappid", "TLS.time", "TLS.expire", "TLS.sig"}


# --- independent verifier (tencent.md 1.1 and 1.2, Go rules) ----------------


def decode_usersig(sig):
    """The JSON document of a UserSig, or raise ValueError(stage)."""
    text = "".join(sig.split())
    text = text.replace("*", "+").replace("-", "/").replace("_", "=")
    try:
        raw = base64.b64decode(text, validate=True)
    except (ValueError, TypeError):
        raise ValueError("base64")
    try:
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, 1 << 16)
        if not inflater.eof or inflater.unconsumed_tail or inflater.unused_data:
            raise ValueError("zlib")
    except zlib.error:
        raise ValueError("zlib")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise ValueError("json")
    if not isinstance(doc, dict):
        raise ValueError("json")
    return doc


def is_uint(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def independent_verify(sig, sdkappid, key, user, now):
    """'ok' or the reason the UserSig is refused."""
    try:
        doc = decode_usersig(sig)
    except ValueError as err:
        return str(err)
    ident = doc.get("TLS.identifier")
    app, time_, expire = doc.get("TLS.sdkappid"), doc.get("TLS.time"), doc.get("TLS.expire")
    if not isinstance(ident, str) or not all(is_uint(v) for v in (app, time_, expire)):
        return "fields"
    if not isinstance(doc.get("TLS.sig"), str):
        return "fields"
    if app != sdkappid:
        return "sdkappid"
    if ident != user:
        return "identifier"
    if now > time_ + expire:
        return "expired"
    if "TLS.userbuf" in doc:
        return "userbuf"
    signed = "TLS.identifier:%s\nTLS.sdkappid:%d\nTLS.time:%d\nTLS.expire:%d\n" % (ident, app, time_, expire)
    mac = hmac.new(key.encode("utf-8"), signed.encode("utf-8"), hashlib.sha256).digest()
    try:
        given = base64.b64decode(doc["TLS.sig"], validate=True)
    except (ValueError, TypeError):
        return "fields"
    if not hmac.compare_digest(mac, given):
        return "sig"
    return "ok"


def encode_usersig(doc, level=6):
    """A UserSig with `doc` as its JSON (used to tamper with documents)."""
    raw = zlib.compress(json.dumps(doc, separators=(",", ":")).encode("utf-8"), level)
    return base64.b64encode(raw).decode("ascii").replace("+", "*").replace("/", "-").replace("=", "_")


# --- test data ----------------------------------------------------------------


def random_case(rng):
    length = rng.randint(1, 32)
    user = "".join(rng.choice(PRINTABLE) for _ in range(length))
    if rng.random() < 0.15:  # ids that look like command-line options
        user = ("-" + user)[:32]
    if rng.random() < 0.15:  # JSON-escaped characters
        user = (user + rng.choice(['"', "\\", '\\"']))[-32:]
    return {
        "user": user,
        "sdkappid": rng.randint(1_400_000_000, 2_099_999_999),
        "key": "%064x" % rng.getrandbits(256),
        "time": rng.randint(1_500_000_000, 2_000_000_000),
        "expire": rng.choice([1, 300, 86_400, 180 * 86_400, rng.randint(1, 1_000_000_000)]),
    }


def run_generator(cmd, cases, env=None):
    payload = "".join(json.dumps(c) + "\n" for c in cases)
    proc = subprocess.run(cmd, input=payload, capture_output=True, text=True, env=env, timeout=120)
    if proc.returncode != 0:
        sys.exit("generator %s failed (%d):\n%s" % (cmd, proc.returncode, proc.stderr))
    out = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    if [o["user"] for o in out] != [c["user"] for c in cases]:
        sys.exit("generator %s returned %d results for %d cases" % (cmd, len(out), len(cases)))
    return out


# --- the checks ---------------------------------------------------------------


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.groups = {}

    def check(self, group, ok, what):
        self.groups.setdefault(group, [0, 0])[0 if ok else 1] += 1
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            if self.failed <= 40:
                print("FAIL [%s] %s" % (group, what))


class Unim:
    def __init__(self, binary):
        self.binary = binary

    def _run(self, args):
        proc = subprocess.run([self.binary, "usersig"] + args, capture_output=True, text=True, timeout=30)
        return proc.returncode, (proc.stdout + proc.stderr).strip()

    def verify(self, c, sig, now, user=None, key=None):
        return self._run(
            [
                "verify",
                "--sdkappid=%d" % c["sdkappid"],
                "--key=%s" % (key or c["key"]),
                "--user=%s" % (c["user"] if user is None else user),
                "--sig=%s" % sig,
                "--now=%d" % now,
            ]
        )

    def gen(self, c):
        code, out = self._run(
            [
                "gen",
                "--sdkappid=%d" % c["sdkappid"],
                "--key=%s" % c["key"],
                "--user=%s" % c["user"],
                "--expire=%d" % c["expire"],
                "--time=%d" % c["time"],
            ]
        )
        return out if code == 0 else None


def other_user(user):
    return user[:-1] + ("a" if user[-1] != "a" else "b")


def check_official(tally, unim, group, signed, negatives):
    for i, c in enumerate(signed):
        sig, t, e = c["sig"], c["time"], c["expire"]
        label = "user=%r time=%d expire=%d" % (c["user"], t, e)
        tally.check(group + "/independent", independent_verify(sig, c["sdkappid"], c["key"], c["user"], t) == "ok", label)
        for now in (t, t + e):
            code, out = unim.verify(c, sig, now)
            tally.check(group + "/ok", code == 0 and out == "ok", "%s now=%d: %s" % (label, now, out))
        code, out = unim.verify(c, sig, t + e + 1)
        tally.check(group + "/expired", code != 0 and "expired" in out.lower(), "%s: %s" % (label, out))
        if i < negatives:
            code, out = unim.verify(c, sig, t, user=other_user(c["user"]))
            tally.check(group + "/other-user", code != 0 and out != "ok", "%s: %s" % (label, out))
            code, out = unim.verify(c, sig, t, key="%064x" % (int(c["key"], 16) ^ 1))
            tally.check(group + "/other-key", code != 0 and out != "ok", "%s: %s" % (label, out))


def check_unim_generated(tally, unim, rng, cases):
    for c in cases:
        t, e = c["time"], c["expire"]
        label = "user=%r time=%d expire=%d" % (c["user"], t, e)
        sig = unim.gen(c)
        tally.check("unim-gen/generated", sig is not None, label)
        if sig is None:
            continue
        try:
            doc = decode_usersig(sig)
            shape_ok = set(doc) == DOC_KEYS and doc["TLS.ver"] == "2.0"
        except ValueError:
            doc, shape_ok = None, False
        tally.check("unim-gen/document", shape_ok, "%s: %r" % (label, doc))
        verify = lambda s, now, key=c["key"]: independent_verify(s, c["sdkappid"], key, c["user"], now)
        tally.check("unim-gen/ok", verify(sig, t) == "ok" and verify(sig, t + e) == "ok", label)
        tally.check("unim-gen/expired", verify(sig, t + e + 1) == "expired", label)
        tally.check("unim-gen/other-key", verify(sig, t, key=c["key"][::-1]) == "sig", label)
        if doc is None:
            continue
        # Tampered: a longer validity under the old HMAC, re-encoded properly.
        forged = encode_usersig(dict(doc, **{"TLS.expire": e + 86_400}))
        tally.check("unim-gen/tampered", verify(forged, t) == "sig", label)
        code, out = unim.verify(c, forged, t)
        tally.check("unim-gen/tampered-unim", code != 0 and out != "ok", "%s: %s" % (label, out))
        # Tampered: one character of the UserSig text changed.
        at = rng.randrange(len(sig))
        flipped = sig[:at] + ("A" if sig[at] != "A" else "B") + sig[at + 1 :]
        tally.check("unim-gen/flipped", verify(flipped, t) != "ok", label)
        code, out = unim.verify(c, flipped, t)
        tally.check("unim-gen/flipped-unim", code != 0 and out != "ok", "%s: %s" % (label, out))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--unim", required=True, help="the unim binary")
    parser.add_argument("--python-path", required=True, help="directory holding the PyPI tls-sig-api-v2 package")
    parser.add_argument("--node-pkg", required=True, help="the npm package's TLSSigAPIv2.js")
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()

    seed = args.seed if args.seed is not None else random.randrange(1 << 32)
    print("usersig cross-check: seed %d (SEED=%d reproduces it), %d cases per source" % (seed, seed, args.count))
    rng = random.Random(seed)
    tally = Tally()
    unim = Unim(args.unim)

    env = dict(os.environ, PYTHONPATH=args.python_path + os.pathsep + os.environ.get("PYTHONPATH", ""))
    python_cases = [random_case(rng) for _ in range(args.count)]
    python_signed = run_generator([sys.executable, os.path.join(HERE, "gen_python.py")], python_cases, env)
    node_cases = [random_case(rng) for _ in range(args.count)]
    node_signed = run_generator(["node", os.path.join(HERE, "gen_node.js"), args.node_pkg], node_cases)

    check_official(tally, unim, "pypi", python_signed, negatives=5)
    check_official(tally, unim, "npm", node_signed, negatives=5)
    check_unim_generated(tally, unim, rng, [random_case(rng) for _ in range(args.count)])

    for group in sorted(tally.groups):
        passed, failed = tally.groups[group]
        print("  %-26s %4d passed, %d failed" % (group, passed, failed))
    print("crosscheck: %d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
