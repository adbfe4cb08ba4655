"""`policydiffusion fit` and the regression tables."""

from __future__ import annotations

import json

import numpy as np
import pytest

from policydiffusion.cli import run
from policydiffusion.estimate import fit_hazard
from policydiffusion.report.tables import regression_table, regression_table_frame

from conftest import GOLDEN  # noqa: E402  (tests/estimate/conftest.py)


def test_cli_fit_writes_json_matching_r(tmp_path, glm_golden, capsys):
    out = tmp_path / "fit.json"
    rc = run(["fit", str(GOLDEN / "glm_panel.csv"), "--formula",
              "adopt ~ x1 * d + x2 + x3 + region", "--link", "probit", "--cluster", "state",
              "--json", str(out)])
    assert rc == 0
    assert "cluster-robust by state (G=60)" in capsys.readouterr().out
    got = json.loads(out.read_text())
    ref = glm_golden["probit"]
    assert got["link"] == "probit" and got["nobs"] == ref["nobs"]
    assert got["n_dropped_missing"] == 25 and got["converged"] is True
    assert got["vcov"]["type"] == "cluster" and got["vcov"]["cluster"] == ["state"]
    assert got["vcov"]["n_clusters"] == [60]
    coefs = got["coefficients"]
    assert coefs[0]["term"] == "Intercept" and coefs[-1]["term"] == "x1:d"
    assert set(coefs[0]) == {"term", "estimate", "std_error", "statistic", "p_value",
                             "conf_low", "conf_high"}
    np.testing.assert_allclose([c["std_error"] for c in coefs], ref["se_cluster_state"],
                               rtol=1e-6)
    assert got["loglik"] == pytest.approx(ref["loglik"], rel=1e-9)
    assert got["aic"] == pytest.approx(ref["aic"], rel=1e-9)


def test_cli_errors_are_one_line(capsys):
    rc = run(["fit", str(GOLDEN / "glm_panel.csv"), "--formula", "adopt ~ x1",
              "--vcov", "dyadic"])
    assert rc == 2
    assert "needs --cluster" in capsys.readouterr().err


@pytest.fixture(scope="module")
def two_models(panel):
    return {"Model 1": fit_hazard(panel, "adopt ~ x1 + x2", vcov={"cluster": "state"}),
            "Model 2": fit_hazard(panel, "adopt ~ x1 * d + x2", link="cloglog",
                                  vcov={"cluster": "state"})}


def test_table_frame_content(two_models):
    t = regression_table_frame(two_models, labels={"x1": "Income"}, digits=2)
    assert list(t.columns) == ["term", "Model 1", "Model 2"]
    terms = t["term"].tolist()
    assert terms[:2] == ["Income", ""] and "Income × d" in terms  # the report's labels
    assert terms[terms.index("Observations") - 2] == "Constant"  # the constant last
    row = t[t.term == "Income × d"].iloc[0]
    assert row["Model 1"] == ""
    est = two_models["Model 2"].tidy().set_index("term").loc["x1:d"]
    stars = "*" * sum(est.p_value < s for s in (0.05, 0.01, 0.001))
    assert row["Model 2"] == f"{est.estimate:.2f}{stars}"
    se_row = t.iloc[terms.index("Income × d") + 1]
    assert se_row["Model 2"] == f"({est.std_error:.2f})"
    assert t[t.term == "Observations"]["Model 1"].item() == "2,975"
    assert t[t.term == "Clusters"]["Model 2"].item() == "60"
    assert "G/(G-1)" in t.attrs["notes"][0]
    assert t.attrs["notes"][1] == "* p < 0.05, ** p < 0.01, *** p < 0.001"


@pytest.mark.parametrize("fmt", ["markdown", "html", "latex", "csv"])
def test_table_formats(two_models, fmt):
    text = regression_table(two_models, fmt=fmt, lang="zh")
    assert "观测数" in text and "对数似然" in text
    assert "Model 2" in text
    if fmt == "latex":
        assert r"\toprule" in text and "$^{***}$" in text
    if fmt == "html":
        assert text.startswith("<table") and "<tfoot>" in text


def test_table_rejects_bad_options(two_models):
    from policydiffusion.errors import InvalidOptionError

    with pytest.raises(InvalidOptionError):
        regression_table(two_models, fmt="docx")
    with pytest.raises(InvalidOptionError):
        regression_table(two_models, lang="fr")


def test_json_carries_the_covariance_matrix(tmp_path):
    """fit --json keeps the full covariance so simulate --fit can draw correlated betas."""
    import json

    import numpy as np
    import pandas as pd

    from policydiffusion.cli import run

    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(size=400), "g": rng.integers(0, 20, 400)})
    df["adopt"] = (rng.random(400) < 1 / (1 + np.exp(1 - df.x))).astype(int)
    data, out = tmp_path / "d.csv", tmp_path / "fit.json"
    df.to_csv(data, index=False)
    assert run(["fit", str(data), "--formula", "adopt ~ x", "--cluster", "g", "--json", str(out)]) == 0
    d = json.loads(out.read_text())
    assert d["cov"]["terms"] == ["Intercept", "x"]
    se = [c["std_error"] for c in d["coefficients"]]
    np.testing.assert_allclose(np.sqrt(np.diag(d["cov"]["matrix"])), se, rtol=1e-12)
