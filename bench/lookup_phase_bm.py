"""The graph prover's lookup phase alone, for a model inference:

    python bench/lookup_phase_bm.py MODEL SEQ [--zkcom FILE] [--pkg DIR]

Builds the one-segment graph of MODEL (as bench/model_bm.py) for the first SEQ tokens of
acc/data/text.txt, runs the forward pass, then times zkproof.nn.graph._lookup_phase on a
fresh transcript (no backward pass: the lookups need only the witness). Prints the
number of tables, looked-up entries (real and in the tensors' padded layouts), the time,
the lookup proof's bytes and the peak RSS. --pkg DIR imports zkproof from DIR (a copy of
another checkout's zkproof/ with its native module) to compare before/after on one
machine; run the two alternately, as the machine is shared.
"""
import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model")
    p.add_argument("seq", type=int)
    p.add_argument("--zkcom", default=None, help="a cached model commitment (read only)")
    p.add_argument("--pkg", default=str(ROOT), help="directory holding the zkproof package to time")
    args = p.parse_args()
    sys.path.insert(0, args.pkg)
    import numpy as np

    import zkproof
    from zkproof.channel import ProverChannel
    from zkproof.nn import graph as G
    from zkproof.nn.model_commit import ModelCommitment, commit_model
    from zkproof.nn.models import inference
    from zkproof.nn.models.build import QuantizedModel
    from zkproof.nn.models.commands import calibration_tokens, load_source
    from zkproof.transcript import Transcript

    spec, tok = load_source(args.model)
    qm = QuantizedModel(spec, calibration_tokens=calibration_tokens(spec, tok))
    mc = ModelCommitment.load(Path(args.zkcom)) if args.zkcom else commit_model(qm, source=args.model)
    text = (ROOT / "acc" / "data" / "text.txt").read_text()
    tokens = np.asarray(tok(text)["input_ids"][: args.seq] if tok else list(text.encode())[: args.seq])
    _, jobs = inference.prepare(qm, mc, tokens, inference.default_cuts(qm, 1))
    job = jobs[0]
    mg = inference.segment_graph(mc, len(tokens), job.start, job.end, job.label)
    wit = mg.graph.forward(qm.inputs(mg, job.tokens, job.boundary_in))
    groups = G._lookup_groups(mg.graph)
    real = sum(int(np.prod(mg.graph.tensors[u.x].shape)) for us in groups.values() for u in us)
    padded = sum(1 << mg.graph.tensors[u.x].num_vars for us in groups.values() for u in us)
    ctx = G._Context(mg.graph, ProverChannel(Transcript("lookup-phase")), True, wit)
    t0 = time.perf_counter()
    G._lookup_phase(ctx, {})
    t = time.perf_counter() - t0
    print(f"{Path(zkproof.__file__).parent}: {args.model} {len(tokens)} tokens, {len(groups)} tables, {real} "
          f"entries looked up ({padded} in padded layouts); lookup phase {t:.2f} s, {len(ctx.ch.bytes())} proof "
          f"bytes, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2 ** 20:.2f} GiB, load "
          f"{' '.join(open('/proc/loadavg').read().split()[:3])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
