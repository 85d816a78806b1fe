"""Perplexity of a causal language model on a local text, float vs the prover's arithmetic.

    python acc/main.py MODEL_DIR SEQ_LEN NSAMPLES [--text FILE] [--grid-point JSON]

Like zkLLM's acc/main.py: the text (default acc/data/text.txt) is tokenised (the model's
tokenizer, or bytes for tokenizer-less models such as tiny:gpt2 / tiny:llama), cut into
NSAMPLES windows of SEQ_LEN tokens, and every window runs through the float model (float64
reference of the same weights) and through QuantizedModel.forward, the integer forward pass
that is the prover's witness. Prints both perplexities and the top-1 agreement.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402


def perplexity(model: str, seq_len: int, nsamples: int, text_path=None, quant: dict | None = None) -> dict:
    from zkproof.nn.models import reference
    from zkproof.nn.models.build import QuantizedModel
    from zkproof.nn.models.quant import QuantConfig

    spec, tok = common.load_model(model)
    c = spec.config
    if c.output != "logits":
        raise SystemExit(f"{model} is an encoder ({c.family}); perplexity needs a causal language model")
    seq_len = min(seq_len, c.max_positions)
    text = Path(text_path or common.DATA / "text.txt").read_text()
    ids = common.tokenize(text, tok, c.vocab, 1 << 30)
    windows = [ids[i:i + seq_len] for i in range(0, len(ids) - seq_len + 1, seq_len)][:nsamples]
    if not windows:
        raise SystemExit(f"the text has {len(ids)} tokens, fewer than SEQ_LEN = {seq_len}")
    qm = QuantizedModel(spec, QuantConfig.from_dict(quant or {}), calibration_tokens=windows[:2])
    nll_f = nll_q = 0.0
    agree = count = 0
    for w in windows:
        lf = reference.forward(spec, w)
        lq = qm.output(qm.forward(w, logits="all"))
        tgt = w[1:]
        nll_f -= common.log_softmax(lf[:-1])[np.arange(len(tgt)), tgt].sum()
        nll_q -= common.log_softmax(lq[:-1])[np.arange(len(tgt)), tgt].sum()
        agree += int((lf[:-1].argmax(-1) == lq[:-1].argmax(-1)).sum())
        count += len(tgt)
    return {"model": model, "seq_len": seq_len, "samples": len(windows), "tokens": count,
            "ppl_float": math.exp(nll_f / count), "ppl_quant": math.exp(nll_q / count), "top1_agree": agree / count}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model", metavar="MODEL_DIR", help="model directory, package, or tiny:gpt2 / tiny:llama")
    ap.add_argument("seq_len", metavar="SEQ_LEN", type=int)
    ap.add_argument("nsamples", metavar="NSAMPLES", type=int)
    ap.add_argument("--text", default=None, help="text file (default acc/data/text.txt)")
    ap.add_argument("--quant", default=None, help="QuantConfig fields as JSON (default: the default configuration)")
    a = ap.parse_args(argv)
    r = perplexity(a.model, a.seq_len, a.nsamples, a.text, json.loads(a.quant) if a.quant else None)
    print(f"{r['model']}: {r['samples']} windows of {r['seq_len']} tokens ({r['tokens']} predictions)")
    print(f"perplexity float {r['ppl_float']:.4f}  quantised {r['ppl_quant']:.4f}  "
          f"(ratio {r['ppl_quant'] / r['ppl_float']:.5f})  top-1 agreement {r['top1_agree']:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
