"""LoRA adapters (to come).

This subpackage will hold the low-rank LoRA prover (Δ = s·B(A·x) by sumcheck, with the
adapter committed once), the adapter commitment, the contributor server and the
base-model client (docs/architecture.md).
"""
