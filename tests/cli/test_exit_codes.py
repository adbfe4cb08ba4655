"""The CLI's error paths: one clear message and a non-zero status, with or without click.

typer >= 0.29 no longer installs ``click``; these tests run the CLI in a fresh
interpreter where ``import click`` fails, as on a clean install.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from policydiffusion.cli import run

SRC = Path(__file__).resolve().parents[2] / "src"

# A meta-path finder that refuses ``click`` as a fresh environment would.
_NO_CLICK = """
import sys
class _NoClick:
    def find_spec(self, name, path=None, target=None):
        if name == "click" or name.startswith("click."):
            raise ModuleNotFoundError("No module named 'click'")
        return None
sys.meta_path.insert(0, _NoClick())
from policydiffusion.cli import main
sys.argv = ["policydiffusion"] + sys.argv[1:]
main()
"""


def _cli_without_click(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(SRC))
    return subprocess.run([sys.executable, "-c", _NO_CLICK, *args], capture_output=True,
                          text=True, env=env, timeout=120)


@pytest.mark.parametrize("args", [["validate", "--bogus"], ["no-such-command"],
                                  ["fit", "--vcov"]])
def test_usage_errors_without_click_are_one_message_not_a_traceback(args):
    proc = _cli_without_click(*args)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "click" not in proc.stderr
    assert "Error" in proc.stderr


def test_our_errors_without_click_exit_2(tmp_path):
    bad = tmp_path / "adoptions.csv"
    bad.write_text("policy,unit,time\np,A,19x9\n")
    proc = _cli_without_click("validate", str(bad))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("error: ")
    assert "Traceback" not in proc.stderr


def test_ctrl_c_exits_130_with_a_message(monkeypatch, capsys):
    import policydiffusion.datasets as datasets_mod

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(datasets_mod, "list_datasets", interrupted, raising=True)
    assert run(["datasets"]) == 130
    assert "interrupted" in capsys.readouterr().err


def test_typer_exit_status_is_kept(monkeypatch):
    import typer

    import policydiffusion.datasets as datasets_mod

    def exit_7(*args, **kwargs):
        raise typer.Exit(7)

    monkeypatch.setattr(datasets_mod, "list_datasets", exit_7, raising=True)
    assert run(["datasets"]) == 7


def test_validate_reads_files_as_the_study_did(tmp_path, capsys):
    # review: the "columns not read" pass re-read files as UTF-8 (failing on GB18030 files
    # the user had passed --encoding for) and called a recognised unit column unread
    gb = tmp_path / "gb.csv"
    gb.write_bytes("policy,unit,time\n条例,A,2001\n条例,B,2002\n".encode("gb18030"))
    assert run(["validate", str(gb), "--encoding", "gb18030"]) == 0
    st = tmp_path / "st.csv"
    st.write_text("policy,state,time\np,A,2001\np,B,2002\n")
    assert run(["validate", str(st)]) == 0
    assert "Columns not read" not in capsys.readouterr().out
