"""The third shipped study: real 2020 prefecture data, a level risk set and [modes]."""

import json

import pandas as pd
import pytest

from policydiffusion import terms as T
from policydiffusion.datasets.china_levels import china_covid_study
from policydiffusion.errors import StudyFileError
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
                         terms=[T.neighbors_adopted("adjacent", kind="share", name="neighbors"),
                                T.ancestor_adopted(level="province", name="province_order"),
                                T.covariate("emergency_days", lag=1, name="emergency_days"),
                                T.duration_poly(degree=2, scale=10, name="t")])
    assert rs.n_rows() == 9860 and rs.n_events() == 110
    fit = fit_hazard(rs.to_pandas(), "adopt ~ neighbors + emergency_days + province_order + "
                     "dist_wuhan + t_1 + t_2", link="logit", vcov={"cluster": "province"})
    got = json.loads((run.out / "results.json").read_text())["both"]["coefficients"]
    mine = fit.tidy().set_index("term")
    for c in got:
        assert c["estimate"] == pytest.approx(mine.loc[c["term"], "estimate"], abs=1e-10)
        assert c["std_error"] == pytest.approx(mine.loc[c["term"], "std_error"], abs=1e-10)
    assert tuple(fit.n_clusters) == (31,)


def _toy_files(tmp_path):
    pd.DataFrame({"unit": ["C", "P1", "P2", "A", "B", "D"],
                  "level": ["central", "province", "province", "city", "city", "city"],
                  "parent": [None, "C", "C", "P1", "P1", "P2"]}).to_csv(tmp_path / "units.csv",
                                                                        index=False)
    pd.DataFrame([("p", "A", 2001), ("p", "C", 2002), ("p", "B", 2003), ("p", "D", 2003)],
                 columns=["policy", "unit", "time"]).to_csv(tmp_path / "adopt.csv", index=False)
    pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2000]}).to_csv(tmp_path / "pilots.csv",
                                                                          index=False)


STUDY = """
[study]
title = "toy"
[data]
adoptions = "adopt.csv"
units = "units.csv"
end = 2004
[describe]
enabled = false
[[riskset]]
name = "r"
options = {{level = "city"}}
terms = [{{term = "central_signal"}}]
[[model]]
name = "m"
formula = "adopt ~ central_signal_l1"
[modes]
pilots = "pilots.csv"
options = {options}
[report]
figures = []
"""


def test_modes_table_of_a_study_file_with_pilots(tmp_path):
    _toy_files(tmp_path)
    (tmp_path / "s.toml").write_text(STUDY.format(options="{promote_min_share_after = 0.6}"))
    res = run_study(tmp_path / "s.toml", tmp_path / "out")
    modes = json.loads((tmp_path / "out" / "modes.json").read_text())
    (p,) = modes["policies"]
    assert (p["mode"], p["n_pilots_adopted_before"], p["share_before"]) == \
        ("pilot-then-promote", 1, pytest.approx(1 / 3))
    assert modes["rules"]["promote_min_share_after"] == 0.6
    assert "Diffusion modes across levels" in res.report.read_text(encoding="utf-8")
    # one level at risk: the default standard errors are clustered by the parent
    assert res.state.sf.model("m").vcov == {"cluster": "parent"}
    assert tuple(res.state.models[0].result.n_clusters) == (2,)


def test_modes_table_bad_option_names_the_table(tmp_path):
    _toy_files(tmp_path)
    (tmp_path / "s.toml").write_text(STUDY.format(options="{top_down_share = 0.2}"))
    with pytest.raises(StudyFileError, match=r"s.toml.*modes.*top_down_share"):
        run_study(tmp_path / "s.toml", tmp_path / "out")


def test_effects_section_shows_hsiang_beside_published_and_benefits(run, tmp_path):
    """[effects] in the shipped study: the Hsiang et al. (2020) China event study, ours
    beside the published three decimals, and the benefit components beside the process."""
    pytest.importorskip("pyfixest")
    pub = pd.read_csv(run.out / "tables" / "effects_published.csv")
    assert len(pub) == 15
    ours, published = pub.iloc[:, 1].astype(float), pub.iloc[:, 3].astype(float)
    assert (ours - published).abs().max() <= 0.0005 + 1e-9  # rounds to the published value
    eff = json.loads((run.out / "results.json").read_text(encoding="utf-8"))["_effects"]
    assert eff["n_obs"] == 3669 and eff["n_clusters"] == 48
    ben = {b["policy"]: b for b in eff["benefits"]}
    assert ben["emergency_declaration"]["average_effect"] < 0 and eff["links"]
    html_zh = run.report.read_text(encoding="utf-8")
    for text in ("政策效果", "事件研究：本工具估计与已发表估计对照", "扩散评价指数：过程与效益", "效益指数",
                 "过程指数", "按日聚类的标准误"):
        assert text in html_zh, text
    prov = provenance(run.state, lang="en", exclusions=all_exclusions(run.state))
    html_en = write_report(build_document(run.state, provenance=prov), tmp_path, lang="en",
                           figure_formats=(), table_formats=()).html.read_text(encoding="utf-8")
    for text in ("Policy effects", "Event study: ours beside the published estimates",
                 "Evaluation index: process and benefits", "benefit index", "process index",
                 "Hsiang et al. (2020, Nature 584: 262-267)", "clustered by day"):
        assert text in html_en, text


def test_modes_pilots_file_read_with_the_study_date_format(tmp_path):
    # the pilots table is read as the adoptions are: day/month/year dates in both
    _toy_files(tmp_path)
    pd.DataFrame([("p", "A", "01/06/2001"), ("p", "C", "01/06/2002"), ("p", "B", "01/06/2003"),
                  ("p", "D", "01/06/2003")],
                 columns=["policy", "unit", "time"]).to_csv(tmp_path / "adopt.csv", index=False)
    pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": ["13/01/2000"]}).to_csv(
        tmp_path / "pilots.csv", index=False)
    text = STUDY.format(options="{promote_min_share_after = 0.6}").replace(
        "end = 2004", 'end = 2004\ndate_format = "%d/%m/%Y"\ngranularity = "year"')
    (tmp_path / "s.toml").write_text(text)
    run_study(tmp_path / "s.toml", tmp_path / "out")
    (p,) = json.loads((tmp_path / "out" / "modes.json").read_text())["policies"]
    assert (p["mode"], p["n_pilots_adopted_before"]) == ("pilot-then-promote", 1)
