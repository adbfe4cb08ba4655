"""describe's JSON file: one policy a line (C encoder), the same values as the
indented layout it replaced (issue 16 item 19)."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from policydiffusion.cli import run
from policydiffusion.cli.describe import _json_text


def _canonical(text: str) -> str:
    # NaN != NaN in a dict comparison: compare the parsed values re-encoded instead
    return json.dumps(json.loads(text), sort_keys=True)


def test_same_values_as_the_indented_layout():
    entries = [
        {"policy": "a b", "fit": {"K": 0.25, "se": math.nan, "t": [1, 2.5e-300, None]}, "zh": "政策"},
        {"policy": "c", "x": -1e308, "nested": [{"y": True}, []]},
        {"policy": "a b", "fit": {"K": 0.5}},  # a policy named twice keeps its last entry
    ]
    text = _json_text(entries)
    old = json.dumps({e["policy"]: e for e in entries}, indent=1, ensure_ascii=False)
    assert _canonical(text) == _canonical(old)
    assert list(json.loads(text)) == ["a b", "c"]
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}" and len(lines) == 4  # one line per policy
    assert json.loads(lines[1].split(": ", 1)[1].rstrip(",")) == json.loads(old)["a b"]


def test_cli_writes_one_policy_a_line(tmp_path):
    f = tmp_path / "a.csv"
    pd.DataFrame({"policy": ["p"] * 5 + ["q"] * 3, "unit": list("ABCDE") + list("ABC"),
                  "year": [2001, 2002, 2002, 2004, 2005, 2001, 2003, 2003]}).to_csv(f, index=False)
    js = tmp_path / "d.json"
    assert run(["describe", str(f), "--time-col", "year", "--json", str(js)]) == 0
    lines = js.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 4 and lines[1].startswith('"p": {') and lines[2].startswith('"q": {')
    assert json.loads(js.read_text(encoding="utf-8"))["q"]["n_adopters"] == 3


def test_parallel_fits_are_the_batch_fits():
    """describe --jobs without figures: the fits shared out to worker processes (and
    this one) are those of one batch, to the bit."""
    from policydiffusion.cli.describe import _ParallelFits
    from policydiffusion.curves import fit_curves_many
    from policydiffusion.datasets import spid_study

    ids = ["aborparc", "antibully", "bangag"]
    study = spid_study(policies=ids)
    got = _ParallelFits(study, ids, "mle", 2).result()  # two shares: one worker, one here
    want = fit_curves_many(study, ids)
    assert sorted(got) == sorted(want)
    for p in ids:
        for fam, f in want[p].fits.items():
            g = got[p][fam]
            assert (g.estimate.tobytes(), g.loglik) == (f.estimate.tobytes(), f.loglik), (p, fam)


def test_parallel_fits_stopped_when_the_speed_table_fails(monkeypatch, tmp_path):
    """The workers start before the speed table; if it fails they are stopped (no
    process left running) and the error is the CLI's."""
    import policydiffusion.cli.describe as describe_cli
    import policydiffusion.curves as curves
    from policydiffusion.errors import InvalidOptionError

    made = []

    class Recorded(describe_cli._ParallelFits):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    def fail(*args, **kwargs):
        raise InvalidOptionError("speed table failed")

    monkeypatch.setattr(describe_cli, "_ParallelFits", Recorded)
    monkeypatch.setattr(curves, "policy_speed", fail)
    args = ["describe", "--dataset", "spid", "--policy", "aborparc", "--policy", "antibully"]
    assert run([*args, "--json", str(tmp_path / "d.json"), "--jobs", "2"]) == 2
    [p] = made
    assert all(f.done() for f in p.futures)
    with pytest.raises(RuntimeError):  # shut down: it takes no more work
        p.pool.submit(int)
    assert not (tmp_path / "d.json").exists()
