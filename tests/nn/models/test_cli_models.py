"""zkproof commit-model / prove / verify --model on tiny models (in process)."""
import pytest

from zkproof.cli import main


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    assert main(["-q", "commit-model", "tiny:gpt2", "-o", str(d / "g.zkcom")]) == 0
    assert main(["-q", "commit-model", "tiny:llama", "-o", str(d / "l.zkcom")]) == 0
    assert main(["-q", "prove", str(d / "g.zkcom"), "--tokens", "1,2,3", "-o", str(d / "g.zkpf"), "--profile"]) == 0
    return d


@pytest.mark.parametrize("cmd", ["commit-model", "prove"])
def test_help(cmd, capsys):
    assert main([cmd, "--help"]) == 0
    assert f"zkproof {cmd}" in capsys.readouterr().out


def test_prove_prints_agreement_and_profile(files, capsys):
    assert main(["-q", "prove", str(files / "g.zkcom"), "--text", "hi", "-o", str(files / "h.zkpf"),
                 "--profile"]) == 0
    out = capsys.readouterr().out
    assert "next token" in out and "max logit error" in out and "operation" in out and "matmul" in out


def test_verify_accepts_with_its_model(files, capsys):
    assert main(["verify", str(files / "g.zkpf"), "--model", str(files / "g.zkcom")]) == 0
    assert capsys.readouterr().out.startswith("ACCEPTED")


def test_verify_rejects_with_another_model(files, capsys):
    assert main(["verify", str(files / "g.zkpf"), "--model", str(files / "l.zkcom")]) == 1
    assert capsys.readouterr().out.startswith("REJECTED")


def test_plain_verify_does_not_accept(files, capsys):
    assert main(["verify", str(files / "g.zkpf")]) == 1
    assert "--model" in capsys.readouterr().out


def test_usage_errors(files, capsys):
    assert main(["-q", "prove", str(files / "g.zkcom"), "--tokens", "1,99999", "-o", str(files / "x")]) == 2
    assert "vocabulary" in capsys.readouterr().err
    assert main(["-q", "prove", str(files / "nope.zkcom"), "--tokens", "1", "-o", str(files / "x")]) == 2
    assert main(["-q", "commit-model", "no-such-model-xyz", "-o", str(files / "x")]) == 2
    assert main(["-q", "prove", str(files / "g.zkcom"), "--tokens", "1", "-o", str(files / "x"),
                 "--device", "cuda"]) == 2
