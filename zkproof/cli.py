"""Command line: `python -m zkproof verify FILE` and `python -m zkproof demo`.

verify: exit 0 when the proof file verifies, 1 when it is rejected (one line saying
why), 2 on a usage error (bad arguments, unreadable file). Never a traceback.
"""
from __future__ import annotations

import sys

USAGE = "usage: python -m zkproof verify FILE | python -m zkproof demo"


def _verify(path: str) -> int:
    from .claims import Claim
    from .errors import VerificationError
    from .proof_file import verify_file

    try:
        protocol, result = verify_file(path)
    except OSError as e:
        print(f"error: cannot read {path}: {e.strerror or e}", file=sys.stderr)
        return 2
    except VerificationError as e:
        print(f"REJECTED: {type(e).__name__}: {e}")
        return 1
    except Exception as e:  # a verifier bug must still not print a traceback
        print(f"REJECTED: internal error while verifying ({type(e).__name__}: {e})")
        return 1
    extra = ""
    if isinstance(result, list) and result and all(isinstance(c, Claim) for c in result):
        names = ", ".join(c.name for c in result)
        extra = f"; {len(result)} evaluation claims remain to be opened ({names})"
    print(f"ACCEPTED: {protocol} proof in {path}{extra}")
    return 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if len(argv) == 2 and argv[0] == "verify":
        return _verify(argv[1])
    if len(argv) == 1 and argv[0] == "demo":
        from .demo import run

        return run()
    if argv in (["-h"], ["--help"]):
        print(USAGE)
        return 0
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    sys.exit(code)
