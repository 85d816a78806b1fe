"""Proof files and the command line: python -m zkproof verify FILE (0 / 1 / 2, never a
traceback), the protocol registry, the demo, and the benchmarks' JSON and proof output."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zkproof import FrTensor, MalformedProof, StatementMismatch, VerificationError, proof_file
from zkproof.sumcheck import hadamard
from zkproof.wire import Envelope

ROOT = Path(__file__).resolve().parent.parent


def cli(*args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "zkproof", *args], capture_output=True, text=True,
                          cwd=str(ROOT), env=env, timeout=120)


@pytest.fixture(scope="module")
def good_bytes():
    num, dim = 2, 5
    a, b = FrTensor.random(num * dim, seed=1), FrTensor.random(num * dim, seed=2)
    u = list(range(3, 3 + hadamard.num_vars(num, dim)))
    st_, proof, _ = hadamard.prove(hadamard.new_transcript(), a, b, num, dim, u)
    return proof_file.encode(hadamard.PROTOCOL_ID, st_.to_bytes(), proof.to_bytes())


def test_registry_verifies_builtin(good_bytes):
    pid, claims = proof_file.verify_bytes(good_bytes)
    assert pid == "hadamard/v2" and [c.name for c in claims] == ["a", "b"]
    assert proof_file.remaining_claims(claims) == claims  # on inputs the file does not commit
    assert {"hadamard/v2", "matmul/v2", "inner_product/v2", "tlookup/v2", "hyrax-open/v2"} <= set(proof_file.protocols())


def test_register_custom_protocol():
    seen = []

    def verify(statement, proof):
        seen.append((statement, proof))
        if proof != b"ok":
            raise MalformedProof("not ok")
        return "fine"

    proof_file.register("test-only/v1", verify)
    assert proof_file.verify_bytes(proof_file.encode("test-only/v1", b"s", b"ok")) == ("test-only/v1", "fine")
    with pytest.raises(MalformedProof):
        proof_file.verify_bytes(proof_file.encode("test-only/v1", b"s", b"no"))
    with pytest.raises(ValueError):
        proof_file.register("", verify)


def test_unknown_protocol_rejected(good_bytes):
    env = Envelope.from_bytes(good_bytes)
    with pytest.raises(StatementMismatch):
        proof_file.verify_bytes(Envelope("nope/v9", env.statement, env.proof).to_bytes())


def test_envelope_truncated_extended_rejected(good_bytes):
    for data in (good_bytes[:-1], good_bytes + b"\x00", good_bytes[:10], b"", b"ZKPF"):
        with pytest.raises(MalformedProof):
            proof_file.verify_bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cut=st.integers(0, 10**6), junk=st.binary(max_size=64))
def test_fuzz_envelope(good_bytes, cut, junk):
    i = cut % (len(good_bytes) + 1)
    for data in (good_bytes[:i] + junk, junk + good_bytes[i:], good_bytes[:i] + junk + good_bytes[i + len(junk):]):
        try:
            proof_file.verify_bytes(data)
        except VerificationError:
            pass


def test_cli_exit_codes(tmp_path, good_bytes):
    good = tmp_path / "good.zkp"
    good.write_bytes(good_bytes)
    r = cli("verify", str(good))
    # a consistent Hadamard file, but its claims fall on a and b, which it does not commit
    assert r.returncode == 1 and r.stdout.startswith("NOT BINDING") and "ACCEPTED" not in r.stdout, r.stdout
    assert "binds nothing on its own" in r.stdout and "(a, b)" in r.stdout

    flipped = bytearray(good_bytes)
    flipped[-40] ^= 1
    bad = tmp_path / "bad.zkp"
    bad.write_bytes(bytes(flipped))
    r = cli("verify", str(bad))
    assert r.returncode == 1 and "REJECTED" in r.stdout
    assert len(r.stdout.strip().splitlines()) == 1 and "Traceback" not in r.stdout + r.stderr

    ext = tmp_path / "ext.zkp"
    ext.write_bytes(good_bytes + b"\x00")
    r = cli("verify", str(ext))
    assert r.returncode == 1 and "trailing" in r.stdout

    r = cli("verify", str(tmp_path / "missing.zkp"))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = cli("verify")
    assert r.returncode == 2
    r = cli("frobnicate", "x")
    assert r.returncode == 2


def test_demo_runs():
    from zkproof.demo import run

    assert run(device="cpu") == 0


@pytest.mark.parametrize("script,args", [("hadamard_bm.py", ["3", "1000"]), ("matmul_bm.py", ["2", "5", "33", "7"])])
def test_benchmarks_write_json_and_verifiable_proofs(tmp_path, script, args):
    out, prf = tmp_path / "r.json", tmp_path / "p.zkp"
    r = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args, "--device", "cpu", "--repeat", "1",
                        "--json", str(out), "--proof-out", str(prf)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    res = json.loads(out.read_text())
    for key in ("num", "dims", "device", "prove_s", "verify_s", "proof_bytes", "floor_s", "verified"):
        assert key in res
    assert res["verified"] is True and res["num"] == int(args[0]) and res["floor_s"] > 0
    r = cli("verify", str(prf))
    assert r.returncode == 1 and r.stdout.startswith("NOT BINDING"), r.stdout  # inputs not committed
