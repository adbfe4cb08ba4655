"""docs/dask.md: its ```python blocks run in order (LocalCluster) and a ```text block right
after one is that block's output; the Slurm example (```py) needs a cluster and is not run."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "dask.md"
BLOCK = re.compile(r"```(python|text|py|console|toml)\n(.*?)```", re.S)


def test_dask_guide_runs_and_shows_its_real_output():
    pytest.importorskip("distributed")
    found = [(m.group(1), m.group(2)) for m in BLOCK.finditer(DOC.read_text())]
    assert any(kind == "py" and "SLURMCluster(" in code for kind, code in found)
    namespace: dict = {"__name__": "dask_doc"}
    ran = 0
    for i, (kind, code) in enumerate(found):
        if kind != "python":
            continue
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, f"{DOC.name} block {i}", "exec"), namespace)
        ran += 1
        if i + 1 < len(found) and found[i + 1][0] == "text":
            assert out.getvalue() == found[i + 1][1], f"block {i} prints something else"
    assert ran >= 1
