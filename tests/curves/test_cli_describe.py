"""`policydiffusion describe` writes tables, figures and JSON."""

from __future__ import annotations

import json

import pandas as pd

from policydiffusion.cli import run


def test_describe_spid(tmp_path):
    out = tmp_path / "out"
    js = tmp_path / "d.json"
    assert run(["describe", "--dataset", "spid", "--policy", "aborparc", "--out", str(out), "--json", str(js),
                "--permutations", "19"]) == 0
    d = json.loads(js.read_text(encoding="utf-8"))["aborparc"]
    for key in ("n_units", "n_adopters", "first_period", "takeoff_period", "logistic", "gompertz", "bass",
                "speed"):
        assert key in d
    assert d["n_units"] == 50 and d["n_adopters"] == 15 and d["first_period"] == 1981
    assert set(d["logistic"]["std_errors"]) == {"K", "r", "t0"}
    for name in ("adoption_curves.csv", "speed.csv", "curve_fits.csv", "aborparc_curve.png",
                 "aborparc_map.svg", "aborparc_timeline.png", "aborparc_hazard.png"):
        assert (out / name).stat().st_size > 0, name
    assert len(pd.read_csv(out / "speed.csv")) == 1


def test_describe_file_and_errors(tmp_path):
    f = tmp_path / "a.csv"
    pd.DataFrame({"policy": "p", "unit": list("ABCDE"), "year": [2001, 2002, 2002, 2004, 2005]}).to_csv(f, index=False)
    js = tmp_path / "d.json"
    assert run(["describe", str(f), "--time-col", "year", "--json", str(js), "--lang", "zh"]) == 0
    assert json.loads(js.read_text(encoding="utf-8"))["p"]["n_adopters"] == 5
    assert run(["describe", str(f), "--time-col", "year", "--policy", "nope", "--json", str(js)]) == 2
    assert run(["describe", "--dataset", "spid"]) == 2  # nothing to write
