"""``--dataset`` with loading options: relations are added, the rest is refused by name
(issue 15: the CLI no longer ignores options silently)."""

from __future__ import annotations

import pandas as pd

from policydiffusion.cli import run


def test_dataset_refuses_options_it_would_ignore(capsys):
    assert run(["validate", "--dataset", "spid", "--unit-col", "state", "--granularity",
                "month"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1  # one line
    assert "--unit-col, --granularity would be ignored" in err


def test_dataset_refuses_reading_options_without_a_relation(capsys):
    assert run(["validate", "--dataset", "spid", "--encoding", "gb18030"]) == 2
    assert "--encoding would be ignored" in capsys.readouterr().err


def test_dataset_adds_relations(tmp_path, capsys):
    edges = tmp_path / "trade.csv"
    pd.DataFrame({"source": ["CA", "CA", "NY"], "target": ["NV", "XX", "NJ"]}).to_csv(
        edges, index=False)
    assert run(["validate", "--dataset", "spid", "--relation", f"trade={edges}",
                "--unknown-units", "drop"]) == 0
    out = capsys.readouterr().out
    assert "relation 'trade': 4 edges" in out  # CA-NV, NY-NJ both ways
    assert "edge names a unit outside the study (XX)" in out  # the dropped edge is counted
