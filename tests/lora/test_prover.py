"""The low-rank delta proof: honest round trips and false statements built as an attacker
would (each must be rejected by the verifier, or refused by the honest prover)."""
import numpy as np
import pytest

from zkproof.errors import OutOfTableError, VerificationError
from zkproof.lookup import tlookup
from zkproof.lora import commitment as CM
from zkproof.lora import prover as P
from zkproof.lora import quantize as Q


def _module(rng, r, n_in, n_out, scaling=2.0, bits=4):
    A = rng.normal(0, 0.05, (r, n_in))
    B = rng.normal(0, 0.05, (n_out, r))
    return Q.quantize_module(A, B, scaling, bits), A, B


@pytest.fixture(scope="module")
def adapter():
    rng = np.random.default_rng(7)
    qa, A, B = _module(rng, 3, 10, 7)          # odd sizes: every axis padded
    qb, _, _ = _module(rng, 2, 10, 5, scaling=-1.5)
    man, sec = CM.commit_adapter({"a": ("conv1d", qa, 2.0), "b": ("linear", qb, -1.5)}, "ad1", "base")
    return man, sec, (A, B)


@pytest.fixture(scope="module")
def other_adapter():
    rng = np.random.default_rng(8)
    qa, _, _ = _module(rng, 3, 10, 7)
    qb, _, _ = _module(rng, 2, 10, 5, scaling=-1.5)
    return CM.commit_adapter({"a": ("conv1d", qa, 2.0), "b": ("linear", qb, -1.5)}, "ad2", "base")


def _x(seed, T, n):
    return Q.quantize_activations(np.random.default_rng(seed).normal(0, 1, (T, n)))


def _calls(sec):
    return [P.compute_calls(sec, "a", _x(1, 3, 10), 0), P.compute_calls(sec, "b", _x(2, 1, 10), 1),
            P.compute_calls(sec, "a", _x(3, 2, 10), 2)]


def test_honest_batch_accepted_and_close_to_float(adapter):
    man, sec, (A, B) = adapter
    calls = _calls(sec)
    proof = P.prove(man, sec, "s1", calls)
    P.verify(man, "s1", calls, proof)
    # the integer delta is the quantised adapter's update up to the two roundings, and
    # approximates the float LoRA delta s B A x (4-bit weights: a few per cent here)
    c = calls[0]
    fmt = man.modules["a"].fmt
    x = c.x_q / 2.0 ** fmt.fx
    got = c.d / 2.0 ** fmt.fd
    deq = x @ Q.dequantized_update(sec.modules["a"]).T
    assert np.abs(got - deq).max() < 1e-3 * np.abs(deq).max() + 2.0 ** -fmt.fd * 8
    ref = 2.0 * x @ A.T @ B.T
    assert np.abs(got - ref).max() < 0.35 * np.abs(ref).max()


def test_single_call_single_token(adapter):
    man, sec, _ = adapter
    call = P.compute_calls(sec, "b", _x(4, 1, 10), 0)
    P.verify(man, "s", [call], P.prove(man, sec, "s", [call]))


def test_tampered_delta_entry_rejected(adapter):
    man, sec, _ = adapter
    calls = _calls(sec)
    proof = P.prove(man, sec, "s1", calls)
    d = calls[1].d.copy()
    d[0, 2] += 1
    bad = list(calls)
    bad[1] = P.Call(calls[1].name, calls[1].call_id, calls[1].x_q, d)
    with pytest.raises(VerificationError):
        P.verify(man, "s1", bad, proof)


def test_honest_prover_refuses_a_wrong_delta(adapter):
    man, sec, _ = adapter
    c = P.compute_calls(sec, "a", _x(1, 2, 10), 0)
    d = c.d.copy()
    d[1, 1] -= 1
    with pytest.raises(ValueError):
        P.prove(man, sec, "s", [P.Call("a", 0, c.x_q, d)])


def test_replayed_for_another_session_rejected(adapter):
    man, sec, _ = adapter
    calls = _calls(sec)
    proof = P.prove(man, sec, "s1", calls)
    with pytest.raises(VerificationError):
        P.verify(man, "s2", calls, proof)


def test_replayed_for_another_input_rejected(adapter):
    man, sec, _ = adapter
    call = P.compute_calls(sec, "a", _x(1, 2, 10), 0)
    proof = P.prove(man, sec, "s", [call])
    x2 = call.x_q.copy()
    x2[0, 0] += 1        # another input whose delta happens to be the same (or not): still rejected
    with pytest.raises(VerificationError):
        P.verify(man, "s", [P.Call("a", 0, x2, call.d)], proof)
    with pytest.raises(VerificationError):
        P.verify(man, "s", [P.Call("a", 1, call.x_q, call.d)], proof)   # another call id


def test_delta_from_a_different_adapter_rejected(adapter, other_adapter):
    """The contributor commits adapter 1 but computes and proves with adapter 2's weights."""
    man, _, _ = adapter
    _, sec2 = other_adapter
    call = P.compute_calls(sec2, "a", _x(1, 2, 10), 0)
    proof = P.prove(man, sec2, "s", [call])      # openings of adapter 2 against adapter 1's commitments
    with pytest.raises(VerificationError):
        P.verify(man, "s", [call], proof)


def _lying_multiplicities(monkeypatch):
    """An attacker's LogUp prover: it counts only the in-table inputs instead of refusing."""
    real = tlookup.multiplicities

    def lying(table, inputs, outputs=None):
        from zkproof.field.tensor import FrTensor
        vals = inputs.to_signed()
        keep = (vals >= table.low) & (vals < table.low + table.length)
        return real(table, FrTensor.from_ints(vals[keep]), outputs)

    monkeypatch.setattr(tlookup, "multiplicities", lying)


def test_remainder_out_of_range_rejected(adapter, monkeypatch):
    """h off by one with its remainder moved out of [0, 2^K) to keep relation (1) true,
    and d recomputed from the forged h (so relation (2) holds exactly)."""
    man, sec, _ = adapter
    x = _x(5, 2, 10)
    real_forward = P.forward

    def forged(qm, x_q):
        w = real_forward(qm, x_q)
        w.h[0, 0] += 1
        w.R1[0, 0] -= 1 << Q.REM_BITS          # now negative: outside the table
        w.d = (w.h @ qm.B_q.T) * qm.SB[None, :]
        return w

    monkeypatch.setattr(P, "forward", forged)
    call = P.compute_calls(sec, "a", x, 0)
    with pytest.raises(OutOfTableError):       # the honest LogUp prover refuses
        P.prove(man, sec, "s", [call])
    _lying_multiplicities(monkeypatch)
    proof = P.prove(man, sec, "s", [call])
    monkeypatch.setattr(P, "forward", real_forward)
    with pytest.raises(VerificationError):
        P.verify(man, "s", [call], proof)


def test_junk_in_rank_padding_rejected(monkeypatch):
    """The committer states rank 3 but puts a fourth rank row/column in the padding of A
    and B (a different adapter than the stated one) and answers with it."""
    rng = np.random.default_rng(11)
    q4, _, _ = _module(rng, 4, 10, 7)
    f3 = Q.ModuleFormat(**{**q4.fmt.to_json(), "rank": 3})
    q3 = Q.QuantizedModule(f3, q4.A_q[:3], q4.B_q[:, :3], q4.SA[:3], q4.SB)
    real_pad = CM.padded_tensors
    monkeypatch.setattr(CM, "padded_tensors", lambda qm: real_pad(q4) if qm is q3 else real_pad(qm))
    man, sec = CM.commit_adapter({"m": ("linear", q3, 2.0)}, "junk", "base")
    CM.verify_manifest(man)                     # the junk is 4-bit: the range proof holds
    sec.modules["m"] = q4                      # the attacker's forward pass uses the junk row
    x = _x(6, 2, 10)
    call = P.compute_calls(sec, "m", x, 0)
    assert not np.array_equal(call.d, Q.forward(q3, x).d)
    proof = P.prove(man, sec, "s", [call])
    with pytest.raises(VerificationError):
        P.verify(man, "s", [call], proof)


@pytest.mark.parametrize("cut", [1, 100])
def test_truncated_or_extended_proof_rejected(adapter, cut):
    man, sec, _ = adapter
    call = P.compute_calls(sec, "b", _x(4, 1, 10), 0)
    proof = P.prove(man, sec, "s", [call])
    with pytest.raises(VerificationError):
        P.verify(man, "s", [call], proof[:-cut])
    with pytest.raises(VerificationError):
        P.verify(man, "s", [call], proof + b"\x00" * cut)


def test_flipped_byte_rejected(adapter):
    man, sec, _ = adapter
    call = P.compute_calls(sec, "b", _x(4, 1, 10), 0)
    proof = bytearray(P.prove(man, sec, "s", [call]))
    rng = np.random.default_rng(0)
    for pos in rng.choice(len(proof), 6, replace=False):
        bad = bytearray(proof)
        bad[pos] ^= 0x01
        with pytest.raises(VerificationError):
            P.verify(man, "s", [call], bytes(bad))


def test_statement_checks(adapter):
    man, sec, _ = adapter
    call = P.compute_calls(sec, "b", _x(4, 1, 10), 0)
    proof = P.prove(man, sec, "s", [call])
    with pytest.raises(VerificationError):
        P.verify(man, "s", [P.Call("nope", 0, call.x_q, call.d)], proof)
    with pytest.raises(VerificationError):
        P.verify(man, "s", [P.Call("b", 0, call.x_q, call.d[:, :3])], proof)
    big = call.x_q.copy()
    big[0, 0] = 1 << 20
    with pytest.raises(VerificationError):
        P.verify(man, "s", [P.Call("b", 0, big, call.d)], proof)


def test_tampered_call_inside_a_batched_group_rejected(adapter):
    """Calls of one shape are proved by one batched sumcheck: a false delta in any of
    them, or deltas swapped between them, must still be caught."""
    man, sec, _ = adapter
    calls = [P.compute_calls(sec, "a", _x(20 + k, 3, 10), k) for k in range(3)]
    assert len(P.call_groups(man, calls)) == 1
    proof = P.prove(man, sec, "s", calls)
    P.verify(man, "s", calls, proof)
    d = calls[2].d.copy()
    d[1, 3] -= 1
    bad = calls[:2] + [P.Call("a", 2, calls[2].x_q, d)]
    with pytest.raises(VerificationError):
        P.verify(man, "s", bad, proof)
    swapped = [calls[0], P.Call("a", 1, calls[1].x_q, calls[2].d), P.Call("a", 2, calls[2].x_q, calls[1].d)]
    with pytest.raises(VerificationError):
        P.verify(man, "s", swapped, proof)


def test_forged_call_inside_a_batched_group_rejected(adapter, monkeypatch):
    """A prover that forges one call's h (remainder pushed out of range) among honest ones."""
    man, sec, _ = adapter
    xs = [_x(30 + k, 2, 10) for k in range(2)]
    real_forward = P.forward
    target = xs[1]

    def forged(qm, x_q):
        w = real_forward(qm, x_q)
        if x_q is target or np.array_equal(x_q, target):
            w.h[1, 2] -= 1
            w.R1[1, 2] += 1 << Q.REM_BITS
            w.d = (w.h @ qm.B_q.T) * qm.SB[None, :]
        return w

    monkeypatch.setattr(P, "forward", forged)
    _lying_multiplicities(monkeypatch)
    calls = [P.compute_calls(sec, "a", x, k) for k, x in enumerate(xs)]
    proof = P.prove(man, sec, "s", calls)
    with pytest.raises(VerificationError):
        P.verify(man, "s", calls, proof)


def test_decoder_fuzz_only_verification_errors(adapter):
    """Random bytes, and honest proofs with random byte runs overwritten, raise only
    VerificationError subclasses (never another exception)."""
    man, sec, _ = adapter
    call = P.compute_calls(sec, "b", _x(4, 1, 10), 0)
    proof = P.prove(man, sec, "s", [call])
    rng = np.random.default_rng(123)
    for k in range(40):
        if k % 2:
            data = rng.integers(0, 256, rng.integers(0, 3 * len(proof))).astype(np.uint8).tobytes()
        else:
            b = bytearray(proof)
            pos = int(rng.integers(0, len(b)))
            run = rng.integers(0, 256, int(rng.integers(1, 64))).astype(np.uint8).tobytes()
            b[pos:pos + len(run)] = run
            data = bytes(b)
        with pytest.raises(VerificationError):
            P.verify(man, "s", [call], data)
