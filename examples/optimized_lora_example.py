"""zkLoRA's contributor flow with zkproof's low-rank prover, end to end and offline.

    python examples/optimized_lora_example.py server  [--host 127.0.0.1 --port 8765]
    python examples/optimized_lora_example.py client  [--text "..."]
    python examples/optimized_lora_example.py prove   [--verbose]
    python examples/optimized_lora_example.py benchmark

Models (nothing is downloaded):
  default        a distilgpt2-shaped GPT-2 (6 layers, 768, random weights from --seed) with a
                 peft LoRA (rank --rank) on every c_attn, built locally on both sides;
  --tiny         the same with 2 layers of width 64 (fast);
  --model-dir D --adapter-dir A   any local transformers model directory and a local peft
                 adapter directory (adapter_config.json + adapter_model.safetensors).

`server` commits the adapter (hiding commitments, 4-bit range proof), writes the manifest
to --out-dir and serves deltas with proofs. `client` patches the base model's adapted
modules, verifies every delta against the pinned manifest (--pin DIGEST, else the first
one seen) and prints the loss and the statistics. `prove` does the same and then asks the
contributor for one batched proof of all the recorded calls and verifies it. `benchmark`
runs bench/lora_bm.py for this shape (dense vs low-rank and each factor).
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def build(args):
    """(base model, peft adapter mapping or None, tokenizer or None, description)."""
    from zkproof.lora import adapters, models
    if args.model_dir:
        from transformers import AutoModelForCausalLM, AutoTokenizer
        base = AutoModelForCausalLM.from_pretrained(args.model_dir).eval()
        try:
            tok = AutoTokenizer.from_pretrained(args.model_dir)
        except (OSError, ValueError):
            tok = None
        ad = adapters.load_adapter_dir(args.adapter_dir) if args.adapter_dir else None
        return base, ad, (lambda s: tok(s)["input_ids"]) if tok else None, args.model_dir
    if args.tiny:
        base = models.tiny_gpt2(n_layer=2, n_embd=64, n_head=4, vocab=256, seed=args.seed)
        desc = f"tiny-gpt2(seed={args.seed})"
    else:
        base = models.distilgpt2_shaped(seed=args.seed, vocab=256)
        desc = f"distilgpt2-shaped(seed={args.seed})"
    pm = models.lora_gpt2(base, rank=args.rank, alpha=2 * args.rank, seed=args.seed + 1)
    ad = None
    if args.adapter_dir:
        ad = adapters.load_adapter_dir(args.adapter_dir)
    else:
        ad = adapters.from_peft_model(pm)
    return base, ad, None, desc


def cmd_server(args) -> int:
    from zkproof.lora import LoRAServer, LoRAServerSocket
    _, ad, _, desc = build(args)
    out_dir = args.out_dir or tempfile.mkdtemp(prefix="zklora-")
    srv = LoRAServer(desc, args.adapter_dir, out_dir, adapter=ad)
    print(f"adapter committed in {srv.commit_seconds:.2f} s; manifest {os.path.join(out_dir, 'manifest.json')}")
    print(f"manifest digest (pin it on the client with --pin): {srv.manifest.digest()}")
    print(f"injection points: {', '.join(srv.list_lora_injection_points())}")
    sock = LoRAServerSocket(srv, args.host, args.port)
    print(f"serving on {sock.host}:{sock.port} (Ctrl-C to stop)", flush=True)
    try:
        sock.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def cmd_client(args, prove: bool = False) -> int:
    from zkproof.lora import BaseModelClient
    base, _, tok, _ = build(args)
    client = BaseModelClient(base, [(args.host, args.port)], pinned_manifests=[args.pin] if args.pin else None,
                             tokenizer=tok)
    patched = client.init_and_patch()
    print(f"patched {len(patched)} modules; adapter manifest {client.manifests[0].digest()} (range proof verified)")
    t0 = time.perf_counter()
    loss = client.forward_loss(args.text)
    t1 = time.perf_counter()
    st = client.stats
    print(f"text: {args.text!r}")
    print(f"loss through the patched model: {loss:.4f} ({t1 - t0:.2f} s; {st['calls']} deltas, all verified; "
          f"waiting for contributor {st['wait_s']:.2f} s, verifying {st['verify_s']:.2f} s, "
          f"proofs {st['proof_bytes']} bytes)")
    if prove:
        tv = client.prove_session()
        print(f"one batched proof of all {st['calls']} recorded calls: verified in {tv:.3f} s")
    client.end_inference()
    return 0


def cmd_benchmark(args) -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    import lora_bm
    n = 64 if args.tiny else 768
    return lora_bm.main(["--in", str(n), "--out", str(3 * n), "--rank", str(args.rank), "--tokens", "1",
                         "--dense", "--accuracy", "--repeat", "1"])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="zkLoRA contributor flow with zkproof")
    p.add_argument("mode", choices=["server", "client", "prove", "benchmark"])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--tiny", action="store_true", help="a 2-layer, width-64 GPT-2 instead of distilgpt2's shape")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rank", type=int, default=16)
    p.add_argument("--model-dir", help="a local transformers model directory (the base model)")
    p.add_argument("--adapter-dir", help="a local peft adapter directory")
    p.add_argument("--out-dir", help="where the server writes its manifest")
    p.add_argument("--pin", help="the adapter manifest digest the client expects")
    p.add_argument("--text", default="Zero-knowledge LoRA: the contributor proves every delta.")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(name)s: %(message)s")
    if args.mode == "server":
        return cmd_server(args)
    if args.mode == "client":
        return cmd_client(args)
    if args.mode == "prove":
        return cmd_client(args, prove=True)
    return cmd_benchmark(args)


if __name__ == "__main__":
    sys.exit(main())
