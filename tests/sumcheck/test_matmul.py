"""The matmul protocol's integer prover path against its field path."""
import numpy as np
import pytest

from zkproof import FrTensor


@pytest.mark.parametrize("num,m,k,n", [(1, 3, 5, 7), (3, 4, 2, 9), (2, 1, 6, 1)])
def test_prove_from_integers_is_the_same_proof(num, m, k, n):
    """The integer path (native row folds, B as stored, transposed or not) gives the same
    statement, proof and claims as the field path."""
    from zkproof.sumcheck import matmul as mm
    from zkproof.transcript import Transcript
    rng = np.random.default_rng(num * 100 + m * 10 + k + n)
    a = rng.integers(-(1 << 40), 1 << 40, (num, m, k))
    b = rng.integers(-(1 << 20), 1 << 20, (num, k, n))
    u = Transcript("u").challenges("u", mm.Statement(num, m, k, n, (), 0).c_vars)
    c = np.einsum("smk,skn->smn", a.astype(object), b.astype(object))
    y = mm.claim_on_c(FrTensor.from_ints([int(v) for v in c.reshape(-1)]), num, m, n, u)
    ref = mm.prove(Transcript("t"), FrTensor.from_ints(a.reshape(-1)), FrTensor.from_ints(b.reshape(-1)),
                   num, m, k, n, u, y)
    for bb, nk in ((b, False), (np.ascontiguousarray(np.swapaxes(b, 1, 2)), True)):
        got = mm.prove(Transcript("t"), a, bb, num, m, k, n, u, y, b_nk=nk)
        assert got[1].to_bytes() == ref[1].to_bytes() and got[2] == ref[2]
