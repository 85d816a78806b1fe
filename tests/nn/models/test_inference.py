"""One proof per inference: completeness on tiny GPT-2 and LLaMA, and soundness tests named
after the attack (another model, a changed output, changed tokens, other weights than the
committed ones, tampered or truncated bytes, a file without its model)."""
import struct

import numpy as np
import pytest

from zkproof.errors import MalformedProof, StatementMismatch, VerificationError
from zkproof.nn.models import inference as I
from zkproof.nn.models.build import QuantizedModel
from zkproof.wire import Envelope

TOKENS = np.array([5, 100, 7, 250, 31])


@pytest.fixture(scope="module")
def gpt2_proof(tiny_committed):
    qm, mc = tiny_committed["gpt2"]
    return I.prove(qm, mc, TOKENS)


def _restate(data: bytes, offset: int, new: bytes) -> bytes:
    env = Envelope.from_bytes(data)
    st = env.statement[:offset] + new + env.statement[offset + len(new):]
    return Envelope(env.protocol, st, env.proof).to_bytes()


def _output_offset(T: int, k: int) -> int:
    return 32 + 8 + 8 * T + 8 + 8 * k


def test_gpt2_proof_verifies(gpt2_proof, tiny_committed):
    qm, mc = tiny_committed["gpt2"]
    v = I.verify(gpt2_proof, mc)
    assert np.array_equal(v.tokens, TOKENS)
    assert np.array_equal(v.output, qm.forward(TOKENS)["output"])


def test_llama_proof_in_two_segments_verifies(tiny_committed):
    qm, mc = tiny_committed["llama"]
    data = I.prove(qm, mc, TOKENS[:3], cuts=I.default_cuts(qm, 2))
    v = I.verify(data, mc)
    assert v.segments == 2
    assert np.array_equal(v.output, qm.forward(TOKENS[:3])["output"])


def test_proof_against_another_model_commitment_is_rejected(gpt2_proof, tiny_committed):
    _, other = tiny_committed["llama"]
    with pytest.raises(VerificationError):
        I.verify(gpt2_proof, other)


def test_proof_relabelled_for_another_model_of_the_same_shape_is_rejected(gpt2_proof, tiny_committed, tiny_specs):
    """The attacker rewrites the model digest to a second GPT-2 of the same shape (other weights)."""
    from zkproof.nn.model_commit import commit_model
    from zkproof.nn.models import spec_from_model
    from zkproof.nn.models.tiny import tiny_model

    qm2 = QuantizedModel(spec_from_model(tiny_model("gpt2", seed=1)), shifts=tiny_committed["gpt2"][0].shifts)
    mc2 = commit_model(qm2)
    forged = _restate(gpt2_proof, 0, bytes.fromhex(mc2.digest()))
    with pytest.raises(VerificationError):
        I.verify(forged, mc2)


def test_changed_output_is_rejected(gpt2_proof, tiny_committed):
    _, mc = tiny_committed["gpt2"]
    off = _output_offset(len(TOKENS), 2) + 1  # after the output's width byte
    low = Envelope.from_bytes(gpt2_proof).statement[off]
    with pytest.raises(VerificationError):
        I.verify(_restate(gpt2_proof, off, bytes([low ^ 1])), mc)  # the first value +-1


def test_output_in_a_wider_encoding_is_malformed(gpt2_proof, tiny_committed):
    """One encoding per output: the same values in wider integers are refused."""
    from zkproof.errors import MalformedProof
    from zkproof.wire import Reader, Writer
    _, mc = tiny_committed["gpt2"]
    env = Envelope.from_bytes(gpt2_proof)
    off = _output_offset(len(TOKENS), 2)
    n = len(TOKENS) * mc.config.vocab
    r = Reader(env.statement[off:])
    vals = I.read_ints(r, n, "output")
    width = env.statement[off]
    wide = Writer().u8(8).raw(vals.astype("<i8").tobytes()).bytes()
    assert width < 8
    forged = Envelope(env.protocol, env.statement[:off] + wide + env.statement[off + 1 + width * n:],
                      env.proof).to_bytes()
    with pytest.raises(MalformedProof):
        I.verify(forged, mc)


@pytest.mark.parametrize("vals", [[0], [-128, 127], [-129], [1 << 40, -5], [-(1 << 63), (1 << 63) - 1]])
def test_compact_ints_round_trip(vals):
    from zkproof.wire import Reader, Writer
    w = Writer()
    I.write_ints(w, np.array(vals, dtype=np.int64))
    r = Reader(w.bytes())
    assert I.read_ints(r, len(vals), "x").tolist() == vals
    r.finish()


def test_changed_tokens_are_rejected(gpt2_proof, tiny_committed):
    _, mc = tiny_committed["gpt2"]
    with pytest.raises(VerificationError):
        I.verify(_restate(gpt2_proof, 40 + 8, struct.pack("<Q", 101)), mc)


def test_token_outside_vocabulary_is_malformed(gpt2_proof, tiny_committed):
    _, mc = tiny_committed["gpt2"]
    with pytest.raises(MalformedProof, match="vocabulary"):
        I.verify(_restate(gpt2_proof, 40, struct.pack("<Q", 1 << 40)), mc)


def test_other_weights_than_the_committed_ones_are_rejected(tiny_committed):
    """A prover runs the model with one weight changed but presents the committed model."""
    qm, mc = tiny_committed["gpt2"]
    bad = QuantizedModel(qm.spec, qm.quant, shifts=qm.shifts)
    bad.weights = dict(qm.weights)
    w = bad.weights["layers.1.mlp.down.weight"].copy()
    w[0, 0] += 1
    bad.weights["layers.1.mlp.down.weight"] = w
    st, jobs = I.prepare(bad, mc, TOKENS, [0, 4])
    data = I.assemble(st, jobs, [I.prove_segment(j) for j in jobs], mc)
    with pytest.raises(VerificationError):
        I.verify(data, mc)


@pytest.mark.parametrize("where", [0.3, 0.7])
def test_tampered_proof_bytes_are_rejected(gpt2_proof, tiny_committed, where):
    _, mc = tiny_committed["gpt2"]
    env = Envelope.from_bytes(gpt2_proof)
    i = int(len(env.proof) * where)
    pf = env.proof[:i] + bytes([env.proof[i] ^ 1]) + env.proof[i + 1:]
    with pytest.raises(VerificationError):
        I.verify(Envelope(env.protocol, env.statement, pf).to_bytes(), mc)


def test_truncated_and_extended_files_are_rejected(gpt2_proof, tiny_committed):
    _, mc = tiny_committed["gpt2"]
    env = Envelope.from_bytes(gpt2_proof)
    for pf in (env.proof[:-1], env.proof + b"\0"):
        with pytest.raises(VerificationError):
            I.verify(Envelope(env.protocol, env.statement, pf).to_bytes(), mc)


def test_plain_verify_refuses_without_the_model(gpt2_proof):
    from zkproof import proof_file

    with pytest.raises(StatementMismatch, match="--model"):
        proof_file.verify_bytes(gpt2_proof)


def test_model_commitment_round_trip_and_malformed(tiny_committed):
    from zkproof.nn.model_commit import ModelCommitment

    _, mc = tiny_committed["llama"]
    data = mc.to_bytes()
    assert ModelCommitment.from_bytes(data).digest() == mc.digest()
    for bad in (data[:-1], data + b"\0", b"XXXX" + data[4:]):
        with pytest.raises(MalformedProof):
            ModelCommitment.from_bytes(bad)


def test_tampered_model_commitment_is_rejected(gpt2_proof, tiny_committed):
    """Two weight commitments of one shape swapped in the model commitment, and the proof's
    model digest rewritten to match it: the commitments no longer open to what was proved."""
    import copy

    _, mc = tiny_committed["gpt2"]
    bad = copy.copy(mc)
    bad.commitments = dict(mc.commitments)
    a, b = "layers.0.attn.q.weight", "layers.0.attn.k.weight"
    bad.commitments[a], bad.commitments[b] = mc.commitments[b], mc.commitments[a]
    with pytest.raises(StatementMismatch, match="another model commitment"):
        I.verify(gpt2_proof, bad)
    with pytest.raises(VerificationError):
        I.verify(_restate(gpt2_proof, 0, bytes.fromhex(bad.digest())), bad)
