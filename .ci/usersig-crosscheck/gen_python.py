"""Generate UserSigs with the OFFICIAL PyPI package `tls-sig-api-v2`.

Reads JSON lines {"user", "sdkappid", "key", "time", "expire"} on stdin and
writes the same objects plus "sig" on stdout. The package reads the clock
with `time.time()` and takes no time argument, so its module's `time.time`
is patched for each signature (vendor notes, tencent.md 1.3).

The package is installed at run time by run.sh (PYTHONPATH); nothing of it is
copied into the project.
"""

import json
import sys

import TLSSigAPIv2  # the official package, installed by run.sh


def main() -> int:
    real_time = TLSSigAPIv2.time.time
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            case = json.loads(line)
            TLSSigAPIv2.time.time = lambda t=case["time"]: float(t)
            api = TLSSigAPIv2.TLSSigAPIv2(case["sdkappid"], case["key"])
            case["sig"] = api.gen_sig(case["user"], case["expire"])
            print(json.dumps(case), flush=True)
    finally:
        TLSSigAPIv2.time.time = real_time
    return 0


if __name__ == "__main__":
    sys.exit(main())
