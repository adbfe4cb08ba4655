"""One spelling per idea between helpers that feed each other (issue 15, item 7)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from policydiffusion.errors import InvalidOptionError  # noqa: E402
from policydiffusion.estimate import fit_hazard  # noqa: E402
from policydiffusion.interpret import fit_subgroups, marginal_effect_across  # noqa: E402
from policydiffusion.report.effect_plots import (plot_marginal_effect,  # noqa: E402
                                                 plot_subgroup_estimates)
from policydiffusion.report.figures import plot_adoption_curve  # noqa: E402


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"x": rng.normal(size=1500), "z": rng.uniform(0, 20, 1500)})
    df["y"] = (rng.random(1500) < 1 / (1 + np.exp(1 - (0.2 + (df.z >= 10)) * df.x))).astype(int)
    return df


def test_subgroup_tidy_feeds_the_subgroup_plot(data):
    sg = fit_subgroups(data.assign(g=data.z >= 10), "y ~ x", by="g", key="x")
    t = sg.tidy()
    assert t["term"].tolist() == ["x", "x"]
    ax = plot_subgroup_estimates(t)
    assert [lab.get_text() for lab in ax.get_yticklabels()] == ["x"]


def test_marginal_effect_frame_feeds_its_plot_as_it_is(data):
    res = fit_hazard(data, "y ~ x * z")
    me = marginal_effect_across(res, data, variable="x", moderator="z")
    ax = plot_marginal_effect(me)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), me.sort_values("value")["estimate"])


def test_fit_subgroups_splits_as_the_study_file_does(data):
    by_hand = fit_subgroups(data.assign(g=np.where(data.z >= 10, "≥ 10", "< 10")), "y ~ x",
                            by="g", key="x")
    split = fit_subgroups(data, "y ~ x", by="z", key="x", split=10)
    assert split.tidy()["group"].tolist() == ["< 10", "≥ 10"]
    np.testing.assert_allclose(split.tidy()["estimate"], by_hand.tidy()["estimate"], atol=1e-12)
    assert split.statistic == pytest.approx(by_hand.statistic, abs=1e-10)
    median = fit_subgroups(data, "y ~ x", by="z", key="x", split="median")
    cut = float(np.median(data.z))
    assert median.tidy()["nobs"].tolist() == [int((data.z < cut).sum()), int((data.z >= cut).sum())]
    with pytest.raises(InvalidOptionError, match="split must be 'auto', 'median' or a number"):
        fit_subgroups(data, "y ~ x", by="z", key="x", split="half")


def test_adoption_curve_plot_takes_a_study():
    from policydiffusion.curves import adoption_curve
    from policydiffusion.datasets import spid_study

    study = spid_study(policies=["aborparc"])
    from_study = plot_adoption_curve(study, policy="aborparc")
    from_curve = plot_adoption_curve(adoption_curve(study, "aborparc"))
    np.testing.assert_array_equal(from_study.lines[0].get_ydata(), from_curve.lines[0].get_ydata())
    assert len(plot_adoption_curve(study).lines[0].get_ydata()) == len(from_curve.lines[0].get_ydata())
    two = spid_study(policies=["aborparc", "smokeban"])
    with pytest.raises(InvalidOptionError, match="name the one to draw with policy="):
        plot_adoption_curve(two)


def test_cli_fit_says_when_its_default_variance_differs_from_the_study_file(tmp_path, capsys,
                                                                             data):
    from policydiffusion.cli import run

    csv = tmp_path / "d.csv"
    data.assign(unit=np.arange(len(data)) % 30).to_csv(csv, index=False)
    assert run(["fit", str(csv), "--formula", "y ~ x"]) == 0
    cap = capsys.readouterr()
    assert "classical standard errors" in cap.err and "--cluster unit" in cap.err
    assert "note:" not in cap.out
    assert run(["fit", str(csv), "--formula", "y ~ x", "--cluster", "unit"]) == 0
    assert "note: classical" not in capsys.readouterr().err
