"""docs/replication.md runs: its python blocks in order, in one namespace, on the shipped
SPID data; a ```text block right after a python block must be that block's output."""

from __future__ import annotations

import contextlib
import io
import re
import warnings
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "replication.md"
BLOCK = re.compile(r"```(python|text|console)\n(.*?)```", re.S)


def blocks() -> list[tuple[str, str]]:
    return [(m.group(1), m.group(2)) for m in BLOCK.finditer(DOC.read_text())]


def test_replication_guide_runs_and_shows_its_real_output():
    found = blocks()
    assert sum(kind == "python" for kind, _ in found) >= 5
    namespace: dict = {"__name__": "replication_doc"}
    for i, (kind, code) in enumerate(found):
        if kind != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(code, f"{DOC.name} block {i}", "exec"), namespace)
        if i + 1 < len(found) and found[i + 1][0] == "text":
            want = [ln.rstrip() for ln in found[i + 1][1].strip("\n").splitlines()]
            got = [ln.rstrip() for ln in out.getvalue().strip("\n").splitlines()]
            assert got == want, f"block {i} printed:\n" + "\n".join(got)


def test_done_means_only_toolkit_calls():
    """The lottery replication uses unknown_units="drop", relation_lag=0, adoption_lag=0."""
    text = DOC.read_text()
    assert 'unknown_units="drop"' in text
    assert "relation_lag=0" in text and "adoption_lag=0" in text
