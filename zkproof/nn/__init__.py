"""Neural-network operations over fixed-point integer tensors (to come).

This subpackage will hold the application layer for transformer inference: fixed-point
quantisation, one module per LLM operation (linear, rescale, lookups for non-linear
functions, norms, residuals, RoPE, embeddings, masks), zkAttn, the model graph and the
model loaders. Each operation is a prover/verifier pair that turns evaluation claims on
its output into claims on its inputs and on what it committed (docs/architecture.md).
"""
