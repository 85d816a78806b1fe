"""Committed sumcheck files (zkproof.sumcheck.committed): a sumcheck proof with its
inputs' commitments and openings binds its statement on its own."""
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkproof import FrTensor, R, proof_file
from zkproof.cli import main as cli_main
from zkproof.errors import VerificationError
from zkproof.sumcheck import committed, hadamard, inner_product, matmul
from zkproof.wire import Envelope


def ints(rng, n):
    return FrTensor.from_ints([rng.randrange(-500, 500) for _ in range(n)])


def point(n, seed):
    rng = random.Random(seed)
    return [rng.randrange(R) for _ in range(n)]


def hadamard_file(y=None, num=3, dim=5, gen_dim=4, seed=1):
    rng = random.Random(seed)
    a, b = ints(rng, num * dim), ints(rng, num * dim)
    u = point(hadamard.num_vars(num, dim), seed)
    return committed.prove_file(hadamard.PROTOCOL_ID, {"a": (a, (num, dim)), "b": (b, (num, dim))}, gen_dim,
                                lambda t: hadamard.prove(t, a, b, num, dim, u, y))


def test_committed_files_accepted(tmp_path, capsys):
    rng = random.Random(2)
    a, b = ints(rng, 7), ints(rng, 7)
    files = {
        "inner": committed.prove_file(inner_product.PROTOCOL_ID, {"a": (a, (7,)), "b": (b, (7,))}, 4,
                                      lambda t: inner_product.prove(t, a, b)),
        "hadamard": hadamard_file(),
    }
    num, m, k, n = 2, 3, 5, 2
    A, B = ints(rng, num * m * k), ints(rng, num * k * n)
    C = np.einsum("smk,skn->smn", np.array(A.to_signed()).reshape(num, m, k), np.array(B.to_signed()).reshape(num, k, n))
    u = point(matmul.Statement(num, m, k, n, (), 0).c_vars, 3)
    y = matmul.claim_on_c(FrTensor.from_ints(C.reshape(-1)), num, m, n, u)
    files["matmul"] = committed.prove_file(matmul.PROTOCOL_ID, {"A": (A, (num, m, k)), "B": (B, (num, k, n))}, 8,
                                           lambda t: matmul.prove(t, A, B, num, m, k, n, u, y))
    for name, data in files.items():
        pid, result = proof_file.verify_bytes(data)
        assert pid == committed.PROTOCOL_ID and proof_file.remaining_claims(result) == []
        f = tmp_path / f"{name}.zkp"
        f.write_bytes(data)
        assert cli_main(["verify", str(f)]) == 0
        assert capsys.readouterr().out.startswith("ACCEPTED: sumcheck-committed/v2")


def test_committed_false_statement_rejected():
    """y is not c(u) for the committed a, b: the honest prover's proof of the false
    claim fails (and so does any other, the inputs being committed first)."""
    true = hadamard_file()
    env = Envelope.from_bytes(true)
    with pytest.raises(VerificationError):
        proof_file.verify_bytes(hadamard_file(y=5))
    # the same proof under another statement's y
    st_ = bytearray(env.statement)
    st_[2 + len(hadamard.PROTOCOL_ID) + 8 + 16 + 32 * hadamard.num_vars(3, 5)] ^= 1  # inside y
    with pytest.raises(VerificationError):
        proof_file.verify_bytes(Envelope(env.protocol, bytes(st_), env.proof).to_bytes())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10**6), st.integers(1, 255), st.booleans())
def test_fuzz_mutated_committed_file(pos, flip, in_statement):
    if not _FILE:
        _FILE.append(hadamard_file())
    env = Envelope.from_bytes(_FILE[0])
    part = bytearray(env.statement if in_statement else env.proof)
    part[pos % len(part)] ^= flip
    mutated = Envelope(env.protocol, bytes(part), env.proof) if in_statement else \
        Envelope(env.protocol, env.statement, bytes(part))
    with pytest.raises(VerificationError):
        proof_file.verify_bytes(mutated.to_bytes())


_FILE = []
