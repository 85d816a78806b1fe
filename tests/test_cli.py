"""The zkproof command line: subcommands, --help, exit codes, no traceback on bad input."""
import subprocess
import sys

import pytest

from zkproof.cli import main


def run(*args):
    return subprocess.run([sys.executable, "-m", "zkproof", *args], capture_output=True, text=True)


def test_help_lists_subcommands():
    r = run("--help")
    assert r.returncode == 0
    for cmd in ("demo", "verify"):
        assert cmd in r.stdout


@pytest.mark.parametrize("cmd", ["demo", "verify"])
def test_each_subcommand_has_help(cmd, capsys):
    assert main([cmd, "--help"]) == 0
    assert f"zkproof {cmd}" in capsys.readouterr().out


def test_usage_errors_exit_2(capsys, tmp_path):
    assert main([]) == 2
    assert main(["no-such-command"]) == 2
    assert main(["verify"]) == 2
    assert main(["verify", str(tmp_path / "missing.zkp")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_quiet_demo_prints_results_only():
    r = run("--quiet", "demo", "--model", "tiny:gpt2")
    assert r.returncode == 0, r.stderr
    assert "verified" in r.stdout and r.stderr == ""
    assert "model: tiny:gpt2" in r.stdout and "REJECTED" not in r.stdout
