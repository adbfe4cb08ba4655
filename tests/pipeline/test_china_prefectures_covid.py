"""The third shipped study: real 2020 prefecture data, a level risk set and [modes]."""

import json

import pytest

from policydiffusion import terms as T
from policydiffusion.datasets.china_levels import china_covid_study
from policydiffusion.estimate import fit_hazard
from policydiffusion.pipeline import run_study
from policydiffusion.pipeline.assemble import all_exclusions, build_document
from policydiffusion.pipeline.outputs import provenance
from policydiffusion.report.html import write_report
from policydiffusion.riskset import monadic_riskset
from policydiffusion.studyfile import example_path


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    return run_study(example_path("china_prefectures_covid"), tmp_path_factory.mktemp("covid"),
                     lang="zh")


def test_modes_json_and_real_data_report(run):
    modes = json.loads((run.out / "modes.json").read_text(encoding="utf-8"))
    got = {p["policy"]: p["mode"] for p in modes["policies"]}
    assert got == {"emergency_declaration": "undetermined", "home_isolation": "horizontal",
                   "travel_ban_local": "horizontal"}
    html = run.report.read_text(encoding="utf-8")
    assert 'class="simulated"' not in html and not run.state.loaded.simulated
    for text in ("多层级扩散模式", "横向扩散", "gpl-covid", "Vonng/adcode", "按 province 聚类"):
        assert text in html, text
    assert (run.out / "figures" / "map_home_isolation.png").exists()  # the prefecture map


def test_english_report_from_the_same_run(run, tmp_path):
    prov = provenance(run.state, lang="en", exclusions=all_exclusions(run.state))
    files = write_report(build_document(run.state, provenance=prov), tmp_path, lang="en",
                         figure_formats=(), table_formats=())
    html = files.html.read_text(encoding="utf-8")
    for text in ("Diffusion modes across levels", "horizontal", "Hsiang et al. 2020",
                 "Distance to Wuhan (100 km)"):
        assert text in html, text


def test_estimates_equal_the_python_api(run):
    """The study file's model 'both' is the level risk set fitted directly."""
    rs = monadic_riskset(china_covid_study(), "home_isolation", level="prefecture",
                         unit_attributes=["province", "dist_wuhan"],
                         terms=[T.neighbors_adopted("adjacent", kind="share").alias("neighbors"),
                                T.ancestor_adopted(level="province").alias("province_order"),
                                T.covariate("emergency_days", lag=1).alias("emergency_days"),
                                T.duration_poly(degree=2, scale=10).alias("t")])
    assert rs.n_rows() == 9860 and rs.n_events() == 110
    fit = fit_hazard(rs.to_pandas(), "adopt ~ neighbors + emergency_days + province_order + "
                     "dist_wuhan + t_1 + t_2", link="logit", vcov={"cluster": "province"})
    got = json.loads((run.out / "results.json").read_text())["both"]["coefficients"]
    mine = fit.tidy().set_index("term")
    for c in got:
        assert c["estimate"] == pytest.approx(mine.loc[c["term"], "estimate"], abs=1e-10)
        assert c["std_error"] == pytest.approx(mine.loc[c["term"], "std_error"], abs=1e-10)
    assert tuple(fit.n_clusters) == (31,)
