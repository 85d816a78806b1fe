"""Adapter quantisation, commitment, manifest and the commitment-time range proof."""
import json

import numpy as np
import pytest

from zkproof.errors import OutOfTableError, VerificationError
from zkproof.lookup import tlookup
from zkproof.lora import commitment as CM
from zkproof.lora import quantize as Q


def _qm(seed=0, r=3, n_in=9, n_out=6, scaling=2.0, bits=4):
    rng = np.random.default_rng(seed)
    return Q.quantize_module(rng.normal(0, 0.05, (r, n_in)), rng.normal(0, 0.05, (n_out, r)), scaling, bits)


def test_quantisation_ranges_and_format():
    qm = _qm()
    assert qm.A_q.min() >= -8 and qm.A_q.max() <= 7 and qm.B_q.min() >= -8 and qm.B_q.max() <= 7
    assert qm.SA.max() < 1 << Q.SCALE_BITS and qm.SB.max() < 1 << Q.SCALE_BITS and qm.SA.min() >= 0
    assert qm.SA.max() >= 1 << (Q.SCALE_BITS - 2)        # the scale keeps ~12 bits of precision
    f = qm.fmt
    assert f.fs_a == f.rem_bits + f.fh - f.fx and f.fd == f.fs_b + f.fh
    assert Q.ModuleFormat.from_json(json.loads(json.dumps(f.to_json()))) == f


def test_quantised_update_close_to_float():
    rng = np.random.default_rng(3)
    A, B = rng.normal(0, 0.05, (4, 32)), rng.normal(0, 0.05, (24, 4))
    qm = Q.quantize_module(A, B, 2.0)
    ref = 2.0 * B @ A
    err = np.abs(Q.dequantized_update(qm) - ref).max()
    assert err < 0.15 * np.abs(ref).max()


def test_forward_matches_rescale_rule():
    qm = _qm()
    x = Q.quantize_activations(np.random.default_rng(1).normal(0, 1, (3, 9)))
    w = Q.forward(qm, x)
    K = Q.REM_BITS
    z = x @ qm.A_q.T
    assert np.array_equal(w.h * (1 << K) + w.R1, z * qm.SA + (1 << (K - 1)))
    assert ((w.R1 >= 0) & (w.R1 < 1 << K)).all()
    assert np.array_equal(w.d, (w.h @ qm.B_q.T) * qm.SB)


def test_activation_out_of_range_is_refused():
    with pytest.raises(ValueError, match="activations"):
        Q.quantize_activations(np.array([[200.0, 0.0]]))


def test_manifest_round_trip_and_range_proof():
    man, _ = CM.commit_adapter({"m": ("linear", _qm(), 2.0), "n": ("conv1d", _qm(1), 2.0)}, "ad", "base")
    CM.verify_manifest(man)
    back = CM.AdapterManifest.from_json(json.loads(json.dumps(man.to_json())))
    assert back.digest() == man.digest()
    CM.verify_manifest(back)
    assert all(c.hiding for m in man.modules.values() for c in m.coms.values())


def test_commitments_hide_equal_adapters():
    a, _ = CM.commit_adapter({"m": ("linear", _qm(), 2.0)}, "ad", "base")
    b, _ = CM.commit_adapter({"m": ("linear", _qm(), 2.0)}, "ad", "base")
    assert a.digest() != b.digest()          # fresh blinds: the same adapter commits differently


def test_weight_outside_4_bits_refused_at_commitment():
    qm = _qm()
    qm.A_q[1, 2] = 9
    with pytest.raises(OutOfTableError):
        CM.commit_adapter({"m": ("linear", qm, 2.0)}, "ad", "base")


def test_weight_outside_4_bits_with_forged_range_proof_rejected(monkeypatch):
    """An attacker commits an 8 in a 4-bit adapter and lies about the multiplicities."""
    qm = _qm()
    qm.B_q[0, 0] = 8
    real = tlookup.multiplicities

    def lying(table, inputs, outputs=None):
        vals = inputs.to_signed()
        from zkproof.field.tensor import FrTensor
        keep = (vals >= table.low) & (vals < table.low + table.length)
        return real(table, FrTensor.from_ints(vals[keep]), outputs)

    monkeypatch.setattr(tlookup, "multiplicities", lying)
    man, _ = CM.commit_adapter({"m": ("linear", qm, 2.0)}, "ad", "base")
    monkeypatch.setattr(tlookup, "multiplicities", real)
    with pytest.raises(VerificationError):
        CM.verify_manifest(man)


def test_range_proof_bound_to_the_manifest():
    man, _ = CM.commit_adapter({"m": ("linear", _qm(), 2.0)}, "ad", "base")
    other, _ = CM.commit_adapter({"m": ("linear", _qm(), 2.0)}, "ad", "base")
    man.range_proof = other.range_proof
    with pytest.raises(VerificationError):
        CM.verify_manifest(man)


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(version=2),
    lambda d: d["modules"][0]["format"].update(rank=-1),
    lambda d: d["modules"][0]["commitments"].update(A="zz"),
    lambda d: d["modules"][0]["commitments"].update(A="00" * 48),
    lambda d: d.update(modules=[]),
    lambda d: d.update(range_proof="***"),
])
def test_malformed_manifest_refused(mutate):
    man, _ = CM.commit_adapter({"m": ("linear", _qm(), 2.0)}, "ad", "base")
    d = json.loads(json.dumps(man.to_json()))
    mutate(d)
    with pytest.raises(ValueError):
        CM.AdapterManifest.from_json(d)


@pytest.mark.parametrize("which", ["SA", "SB"])
def test_scales_not_a_broadcast_rejected(monkeypatch, which):
    """An attacker commits per-entry scales (in range, but not one scale per row): the
    effective weights would no longer be 4-bit."""
    qm = _qm()
    real = CM.padded_tensors

    def forged(q):
        ts = real(q)
        from zkproof.field.tensor import FrTensor
        v = ts[which].to_signed()
        v[1] = v[1] + 1 if v[1] < 4000 else v[1] - 1          # one entry differs from its row
        ts[which] = FrTensor.from_ints(v)
        return ts

    monkeypatch.setattr(CM, "padded_tensors", forged)
    man, _ = CM.commit_adapter({"m": ("linear", qm, 2.0)}, "ad", "base")
    with pytest.raises(VerificationError):
        CM.verify_manifest(man)


def test_range_proof_decoder_fuzz():
    man, _ = CM.commit_adapter({"m": ("linear", _qm(), 2.0)}, "ad", "base")
    good = man.range_proof
    rng = np.random.default_rng(9)
    for k in range(20):
        if k % 2:
            man.range_proof = rng.integers(0, 256, rng.integers(0, 2 * len(good))).astype(np.uint8).tobytes()
        else:
            b = bytearray(good)
            pos = int(rng.integers(0, len(b)))
            b[pos] ^= int(rng.integers(1, 256))
            man.range_proof = bytes(b)
        with pytest.raises(VerificationError):
            CM.verify_manifest(man)
