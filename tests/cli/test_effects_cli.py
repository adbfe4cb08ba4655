import json

import numpy as np
import pandas as pd
import pytest

from policydiffusion.cli import run

pytest.importorskip("pyfixest")


def _write(tmp_path):
    rng = np.random.default_rng(0)
    n, T = 30, 8
    p = pd.DataFrame({"unit": np.repeat([f"u{i}" for i in range(n)], T),
                      "time": np.tile(pd.date_range("2020-01-01", periods=T).strftime("%Y-%m-%d"), n)})
    a = pd.DataFrame({"policy": "x", "unit": [f"u{i}" for i in range(20)],
                      "time": pd.to_datetime("2020-01-01") + pd.to_timedelta(rng.integers(2, 6, 20), "D")})
    k = (pd.to_datetime(p["time"]) - p["unit"].map(dict(zip(a["unit"], a["time"])))).dt.days
    p["y"] = np.where(k >= 0, 1.5, 0.0) + rng.normal(0, 0.05, len(p))
    a["time"] = a["time"].dt.strftime("%Y-%m-%d")
    p.to_csv(tmp_path / "p.csv", index=False)
    a.to_csv(tmp_path / "a.csv", index=False)


def test_effects_cli_twfe_and_callaway_santanna(tmp_path, capsys):
    _write(tmp_path)
    args = ["effects", "--panel", str(tmp_path / "p.csv"), "--adoptions", str(tmp_path / "a.csv"),
            "--outcome", "y", "--dates"]
    assert run(args + ["--bins", "0:10", "--absorb", "unit", "--absorb", "time", "--cluster", "unit",
                       "--json", str(tmp_path / "e.json"), "--figure", str(tmp_path / "f.png")]) == 0
    out = json.loads((tmp_path / "e.json").read_text())
    assert out["estimates"][0]["term"] == "x_L0_to_L10"
    assert out["estimates"][0]["estimate"] == pytest.approx(1.5, abs=0.05)
    assert (tmp_path / "f.png").stat().st_size > 0
    assert run(args + ["--estimator", "callaway-santanna", "--json", str(tmp_path / "cs.json")]) == 0
    cs = pd.DataFrame(json.loads((tmp_path / "cs.json").read_text())["estimates"])
    # Dates: the panel is daily, so event time counts days.
    np.testing.assert_allclose(cs.loc[cs["event_time"] >= 0, "att"], 1.5, atol=0.1)
    assert len(cs) == 10  # event times -4..5 in days
    # cells left out are listed with their reason (none here: never-adopters in every period)
    assert json.loads((tmp_path / "cs.json").read_text())["skipped_cells"] == []


def test_effects_cli_bad_bins_is_one_clear_error(tmp_path, capsys):
    _write(tmp_path)
    status = run(["effects", "--panel", str(tmp_path / "p.csv"), "--adoptions", str(tmp_path / "a.csv"),
                  "--outcome", "y", "--bins", "a:b"])
    assert status == 2
    assert "--bins takes LO:HI" in capsys.readouterr().err


def test_effects_cli_links_by_order_and_neighbours(tmp_path, capsys):
    _write(tmp_path)
    units = [f"u{i}" for i in range(30)]
    pd.DataFrame({"source": units, "target": units[1:] + units[:1]}).to_csv(tmp_path / "e.csv", index=False)
    assert run(["effects", "--panel", str(tmp_path / "p.csv"), "--adoptions", str(tmp_path / "a.csv"),
                "--outcome", "y", "--dates", "--bins", "0:10", "--absorb", "unit", "--absorb", "time",
                "--links", "--edges", str(tmp_path / "e.csv"), "--json", str(tmp_path / "l.json")]) == 0
    links = json.loads((tmp_path / "l.json").read_text())["links"]
    assert [x["moderator"] for x in links] == ["adoption order (z, per SD later)",
                                               "share of neighbours already adopted"]
    # The effect we set is the same for every adopter: no heterogeneity to find.
    assert all(x["test"]["p_value"] > 0.001 for x in links)


def test_example_refuses_the_options_it_would_override(capsys):
    # nothing is estimated: the combination is refused before the example is loaded
    assert run(["effects", "--example", "hsiang-china", "--outcome", "y", "--bins", "0:3",
                "--cluster", "unit"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "drop --outcome, --bins, --cluster (or drop --example" in err
