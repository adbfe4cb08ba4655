"""Transmission models, parameter initialisation, p-values and stopping rules."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from scipy.special import ndtr

from policydiffusion.errors import InvalidOptionError
from policydiffusion.networks import init_params, netinf
from policydiffusion.networks._models import delay_samples, log_score
from policydiffusion.networks._pvalue import normal_cdf_as

D = np.array([0.3, 1.0, 2.5, 7.0])


@pytest.mark.parametrize("model,params,dist", [
    ("exponential", (0.7,), stats.expon(scale=1 / 0.7)),
    ("rayleigh", (1.3,), stats.rayleigh(scale=1.3)),
    ("log-normal", (0.4, 0.9), stats.lognorm(s=0.9, scale=math.exp(0.4))),
])
def test_densities_match_scipy(model, params, dist):
    np.testing.assert_allclose(log_score(model, D, params, 0.5), np.log(0.5 * dist.pdf(D)), rtol=1e-12)


def test_power_law_is_a_density_with_support_from_delta():
    f = lambda x: math.exp(log_score("power-law", np.array([x]), (2.5, 0.5), 1.0)[0])  # noqa: E731
    total, _ = integrate.quad(f, 0.5, np.inf)
    assert total == pytest.approx(1.0, rel=1e-8)
    assert np.isneginf(log_score("power-law", np.array([0.2]), (2.5, 0.5), 1.0)[0])


def test_power_law_netinf_runs(example_cascades):
    res = netinf(example_cascades, model="power-law", n_edges=10)
    assert res.n_edges == 10 and res.params[0] > 1 and res.params[1] > 0


def test_exponential_init_is_the_same_either_way(spid_cascades):
    assert init_params("exponential", spid_cascades.times, method="package") == \
        init_params("exponential", spid_cascades.times)


def test_rayleigh_corrected_init_is_the_mle_midpoint(spid_cascades):
    fan, chain = delay_samples(spid_cascades.times)
    n = len(fan)
    adj = math.exp(math.lgamma(n) + 0.5 * math.log(n) - math.lgamma(n + 0.5))
    want = adj * (math.sqrt((fan ** 2).sum() / (2 * n)) + math.sqrt((chain ** 2).sum() / (2 * n))) / 2
    (got,) = init_params("rayleigh", spid_cascades.times)
    assert got == pytest.approx(want, rel=1e-12) and math.isfinite(got)


def test_lognormal_package_uses_fan_only_corrected_averages(example_cascades):
    fan, chain = delay_samples(example_cascades.times)
    lf, lc = np.log(fan[fan > 0]), np.log(chain[chain > 0])
    pkg = init_params("log-normal", example_cascades.times, method="package")
    cor = init_params("log-normal", example_cascades.times)
    np.testing.assert_allclose(pkg, (lf.mean(), lf.std(ddof=1)), rtol=1e-12)
    np.testing.assert_allclose(cor, ((lf.mean() + lc.mean()) / 2,
                                     (lf.std(ddof=1) + lc.std(ddof=1)) / 2), rtol=1e-12)


@pytest.mark.parametrize("bad", [(-1.0,), (0.0,), (1.0, 2.0), (math.nan,)])
def test_bad_params_are_rejected(example_cascades, bad):
    with pytest.raises(InvalidOptionError):
        netinf(example_cascades, params=bad, n_edges=1)


def test_stopping_rule_must_be_unique(example_cascades):
    with pytest.raises(InvalidOptionError, match="exactly one"):
        netinf(example_cascades)
    with pytest.raises(InvalidOptionError, match="exactly one"):
        netinf(example_cascades, n_edges=3, p_value_cutoff=0.05)
    with pytest.raises(InvalidOptionError, match="exceeds"):
        netinf(example_cascades, n_edges=10**6)


def test_normal_cdf_approximation():
    x = np.linspace(-6, 6, 241)
    approx = np.array([normal_cdf_as(v) for v in x])
    assert np.abs(approx - ndtr(x)).max() < 1.5e-7
    assert normal_cdf_as(-math.inf) == 0.0 and normal_cdf_as(math.inf) == 1.0


def test_corrected_pvalues_differ_only_by_the_documented_bug(example_cascades):
    pkg = netinf(example_cascades, n_edges=30, p_value="package")
    cor = netinf(example_cascades, n_edges=30, p_value="corrected")
    pd.testing.assert_frame_equal(pkg.edges.drop(columns="p_value"), cor.edges.drop(columns="p_value"))
    assert (pkg.edges.p_value - cor.edges.p_value).abs().max() > 1e-5
    # the corrected p-value is the test as documented, from exact tree log-likelihoods
    from policydiffusion.networks._engine import Engine

    eng = Engine(example_cascades.nodes, example_cascades.times, 32, "exponential", pkg.params)
    ids = {n: i for i, n in enumerate(example_cascades.node_names)}
    n = example_cascades.n_cascades
    for r in cor.edges.itertuples():
        before = eng.tree_scores()
        eng.apply(eng.edge_index(ids[r.origin], ids[r.destination]))
        d = eng.tree_scores() - 1 / n - before
        z = d.sum() / (d.std(ddof=1) * np.sqrt(n))
        assert r.p_value == pytest.approx(ndtr(-z), rel=1e-9, abs=1e-15)


def test_first_edge_at_or_above_cutoff_is_kept(example_cascades):
    res = netinf(example_cascades, p_value_cutoff=0.05)
    p = res.edges.p_value.to_numpy()
    assert p[-1] >= 0.05 and (p[:-1] < 0.05).all()


@pytest.mark.parametrize("penalty", [50.0, "bic"])
def test_penalised_gain_rule(example_cascades, penalty):
    res = netinf(example_cascades, penalty=penalty)
    pen = 50.0 if penalty == 50.0 else math.log(example_cascades.n_cascades) / 2
    assert (res.edges.improvement > pen).all()
    nxt = netinf(example_cascades, n_edges=res.n_edges + 1)
    assert nxt.edges.improvement.iloc[-1] <= pen
    pd.testing.assert_frame_equal(nxt.edges.iloc[:-1], res.edges)


def test_result_shapes(example_cascades):
    res = netinf(example_cascades, n_edges=4, trees=True)
    d = res.to_dict()
    assert d["model"] == "exponential" and isinstance(d["params"], list)
    assert list(d["edges"][0]) == ["origin", "destination", "improvement", "p_value"]
    assert list(res.tidy().columns) == ["term", "origin", "destination", "estimate", "p_value"]
    assert set(res.trees.via) <= {"network", "external"}
    assert (res.trees.via == "network").sum() >= 4
    assert "4 edges" in res.summary()
    with pytest.raises(Exception):
        res.model = "x"  # frozen
