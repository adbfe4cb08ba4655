"""`policydiffusion simulate` and `policydiffusion power`."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from policydiffusion.cli import run


def test_simulate_mechanism_writes_adoptions(tmp_path) -> None:
    out = tmp_path / "sim.csv"
    assert run(["simulate", "--mechanism", "national", "--effect", "2", "--units", "25",
                "--seed", "3", "--out", str(out)]) == 0
    a = pd.read_csv(out)
    assert list(a.columns) == ["unit", "period"] and len(a) > 0
    again = tmp_path / "again.csv"
    run(["simulate", "--mechanism", "national", "--effect", "2", "--units", "25", "--seed", "3",
         "--out", str(again)])
    assert out.read_text() == again.read_text()


def test_simulate_from_fit_json(tmp_path) -> None:
    from policydiffusion import terms as T
    from policydiffusion.datasets.china_mobile_gov import china_mobile_gov_study
    from policydiffusion.estimate import fit_hazard
    from policydiffusion.riskset import monadic_riskset

    study = china_mobile_gov_study()
    rs = monadic_riskset(study, policy="mobile_gov", terms=[T.national_share()])
    res = fit_hazard(rs.data, "adopt ~ national_share_l1")
    fit = tmp_path / "fit.json"
    fit.write_text(json.dumps(res.to_dict()))
    out, curves = tmp_path / "sim.csv", tmp_path / "curves.csv"
    args = ["simulate", "--fit", str(fit), "--dataset", "china_mobile_gov", "--policy", "mobile_gov",
            "--draws", "10", "--seed", "1", "--out", str(out), "--curves", str(curves)]
    args += ["--term", "national_share"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # fit --json carries the covariance: no fallback warning
        assert run(args) == 0
    sim, cur = pd.read_csv(out), pd.read_csv(curves)
    assert list(sim.columns) == ["draw", "unit", "period"] and sim["draw"].nunique() <= 10
    assert cur["period"].tolist() == list(range(2014, 2023))


def test_simulate_needs_one_route(capsys) -> None:
    assert run(["simulate", "--seed", "1", "--out", "x.csv"]) == 2
    assert "give one of --fit" in capsys.readouterr().err


def test_power_prints_a_table(tmp_path, capsys) -> None:
    csv = tmp_path / "power.csv"
    assert run(["power", "--mechanism", "covariate", "--effects", "0,1.5", "--units", "30",
                "--reps", "4", "--seed", "2", "--csv", str(csv)]) == 0
    assert "Power for 'x'" in capsys.readouterr().out
    t = pd.read_csv(csv)
    assert t["effect"].tolist() == [0.0, 1.5] and t["power"].between(0, 1).all()
    assert run(["power", "--effects", "a,b", "--seed", "1"]) == 2
