"""Commitments: the G1 group, generators, MSM, Hyrax commitments and IPA openings.

- `g1`: G1 points and tensors of points, hash-to-curve generators, multi-scalar
  multiplication (native Pippenger).
- `hyrax`: Pedersen/Hyrax commitments to tensors (one row commitment per GEN_DIM
  elements), evaluation claims on them and batched opening proofs.
- `ipa`: the inner-product argument that the openings end in.

The Hyrax API is re-exported here: `zkproof.commit.commit(t, gen_dim)`,
`zkproof.commit.verify_claims(...)` and so on.
"""
from .g1 import G1Point, G1Tensor, generators, msm
from .hyrax import (GEN_DIM_FREE, GEN_LABEL, H_LABEL, MAX_GEN_DIM, PROTOCOL_ID, Q_LABEL, BatchOpening,
                    Commitment, Layout, check_file_gen_dim, layout_of,
                    OpeningStatement, RowFold, blinding_generator, claims_proof_bytes, commit,
                    commit_hiding, fold_rows, ipa_generator, num_rows, open_batch, open_folded,
                    prove_claims, prove_opening, read_claims_proofs, row_generators,
                    transcript_for_file, verify_batch, verify_bytes, verify_claims, verify_opening)
from .ipa import IPAProof

__all__ = [
    "G1Point", "G1Tensor", "generators", "msm", "IPAProof", "Commitment", "OpeningStatement",
    "RowFold", "commit", "commit_hiding", "fold_rows", "open_batch", "open_folded", "verify_batch",
    "prove_opening", "verify_opening", "prove_claims", "verify_claims", "claims_proof_bytes",
    "read_claims_proofs", "verify_bytes", "transcript_for_file", "num_rows", "row_generators",
    "ipa_generator", "blinding_generator", "GEN_LABEL", "H_LABEL", "Q_LABEL", "MAX_GEN_DIM",
    "PROTOCOL_ID", "BatchOpening", "Layout", "layout_of", "check_file_gen_dim", "GEN_DIM_FREE",
]
