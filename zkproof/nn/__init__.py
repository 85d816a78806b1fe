"""Neural-network operations over fixed-point integer tensors (docs/nn.md).

- `fixed_point`: the one rounding rule, quantise / dequantise / rescale.
- `graph`: `Graph` (tensors and ops), `forward` (the witness), `prove` / `verify`
  (the backward proof pass, shared lookups, padding checks, openings).
- one module per operation: `linear` (MatMul, Linear), `rescale`, `residual` (Add,
  Product), `nonlinear` (GELU, SiLU, exp, rsqrt tables; RangeCheck), `norm` (RMSNorm,
  LayerNorm), `rope`, `embedding`, `swiglu`, `clamp`, `reshape` (permutations, head
  split/merge), `blocks` (a GPT-2 block) and `zkattn` (attention, every step proven).
- `layout`: the padded layout all claims refer to.
- `models/`: Hugging Face loaders (BERT/MiniLM, GPT-2, LLaMA), whole-model graphs,
  quantisation, one proof per inference (docs/models.md); `model_commit`: the model
  commitment file (.zkcom); `distributed`: proving segments as Ray tasks.
"""
