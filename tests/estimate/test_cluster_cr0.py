"""vcov kind "cluster-cr0" against R sandwich::vcovCL(type="HC0", cadjust=FALSE) and
rms::robcov (golden/cr0_golden.R writes golden/cr0_golden.json)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from policydiffusion.cli import run
from policydiffusion.estimate import VcovSpec, fit_hazard
from policydiffusion.studyfile import parse_study_file

GOLDEN = Path(__file__).resolve().parent / "golden"
FORMULA = "adopt ~ x1 * d + x2 + x3 + region"
ATOL = 1e-8


@pytest.fixture(scope="module")
def cr0_golden() -> dict:
    return json.loads((GOLDEN / "cr0_golden.json").read_text())


@pytest.mark.parametrize("link", ["logit", "probit", "cloglog"])
def test_cr0_equals_sandwich_without_cadjust(panel, cr0_golden, link):
    ref = cr0_golden[link]
    one = fit_hazard(panel, FORMULA, link=link, vcov={"cluster-cr0": "state"})
    np.testing.assert_allclose(one.params.to_numpy(), ref["estimate"], rtol=1e-6, atol=1e-9)
    assert np.abs(one.cov.to_numpy() - np.array(ref["vcov_cr0_state"])).max() < ATOL
    assert one.n_clusters == (ref["n_clusters"],)
    assert "CR0 (no small-sample factor)" in one.vcov_label
    two = one.with_vcov({"cluster-cr0": ["state", "year"]})
    assert np.abs(two.cov.to_numpy() - np.array(ref["vcov_cr0_state_year"])).max() < ATOL
    # the default cluster kind keeps Stata's G/(G-1): the two differ by exactly that factor
    stata = one.with_vcov({"cluster": "state"})
    assert np.abs(stata.cov.to_numpy() - np.array(ref["vcov_stata_state"])).max() < ATOL
    G = ref["n_clusters"]
    np.testing.assert_allclose(stata.cov.to_numpy(), one.cov.to_numpy() * G / (G - 1),
                               rtol=1e-7)


def test_cr0_equals_rms_robcov(panel, cr0_golden):
    ref = cr0_golden["logit"].get("vcov_robcov_state")
    if ref is None:
        pytest.skip("rms was not installed when cr0_golden.R ran")
    res = fit_hazard(panel, FORMULA, vcov={"cluster-cr0": "state"})
    assert np.abs(res.cov.to_numpy() - np.array(ref)).max() < ATOL


def test_cr0_spec_parses_and_round_trips():
    spec = VcovSpec.parse({"cluster-cr0": "state"})
    assert spec.is_clustered and VcovSpec.parse(spec.to_json()) == spec


def test_cli_vcov_cluster_cr0(panel, cr0_golden, tmp_path, capsys):
    data = tmp_path / "panel.csv"
    panel.to_csv(data, index=False)
    out = tmp_path / "fit.json"
    assert run(["fit", str(data), "-f", FORMULA, "--vcov", "cluster-cr0", "--cluster", "state",
                "--json", str(out)]) == 0
    got = json.loads(out.read_text())
    assert got["vcov"]["type"] == "cluster-cr0"
    ref = np.array(cr0_golden["logit"]["vcov_cr0_state"])
    assert np.abs(np.array(got["cov"]["matrix"]) - ref).max() < ATOL
    assert "CR0" in got["vcov"]["label"]


def test_study_file_accepts_cluster_cr0():
    text = '''[study]
title = "t"
[data]
dataset = "spid"
[policies]
focus = ["lott"]
[[riskset]]
name = "main"
terms = [{term = "neighbors_adopted"}]
[[model]]
name = "m1"
formula = "adopt ~ neighbors_adopted"
vcov = {cluster-cr0 = "unit"}
'''
    assert parse_study_file(text).models[0].vcov == {"cluster-cr0": "unit"}


def test_statsmodels_conventions_as_documented(panel):
    """docs/variance.md: statsmodels' cluster default is the regress factor; without
    use_correction it is CR0."""
    sm = pytest.importorskip("statsmodels.api")
    smf = pytest.importorskip("statsmodels.formula.api")
    d = panel.dropna(subset=["adopt", "x1", "x2", "x3", "d", "region", "state"])
    groups = d["state"].astype("category").cat.codes.to_numpy()
    glm = smf.glm("adopt ~ x1 * d + x2 + x3 + region", d, family=sm.families.Binomial())
    ours = fit_hazard(d, FORMULA, vcov={"cluster-cr0": "state"})
    for correction, kind in [(False, "cluster-cr0"), (True, "cluster-regress")]:
        se = glm.fit(cov_type="cluster", cov_kwds={"groups": groups,
                                                   "use_correction": correction}).bse
        mine = ours.with_vcov({kind: "state"}).std_errors
        assert sorted(se.index) == sorted(mine.index)
        np.testing.assert_allclose(se[mine.index].to_numpy(), mine.to_numpy(), rtol=1e-6)
