"""Both shipped studies run end to end; the Chinese report has the English run's numbers."""

import importlib.util
import json
import re

import pytest

from policydiffusion.pipeline import run_study
from policydiffusion.studyfile import example_path

HAS_CHINA = importlib.util.find_spec("policydiffusion.datasets.china_mobile_gov") is not None
needs_china = pytest.mark.skipif(not HAS_CHINA, reason="the china_mobile_gov dataset is not installed")

#: the US study cut down for tests: two policies, a small fixed network
US_SMALL = {"policies.focus": ["lott", "antibully"], "describe.map_policies": ["lott"],
            "network.n_edges": 60}


def _table_numbers(html):
    """Every number in the report's table cells, in order."""
    body = html.split("<main>", 1)[1].split("</main>", 1)[0]
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", body)
    number = re.compile(r"^\(?-?[\d,]*\.?\d+\)?\**$|^\d+/\d+$")
    return [c.strip() for c in cells if number.match(c.strip())]


def _fit(run, key):
    return next(m for m in run.state.models if m.key == key)


@pytest.fixture(scope="module")
def us_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("us")
    return run_study(example_path("us_states_spid"), out, overrides=US_SMALL)


def test_us_study_writes_every_output(us_run):
    out = us_run.out
    assert us_run.report.exists() and us_run.report.stat().st_size > 50_000
    results = json.loads((out / "results.json").read_text())
    # six literature models per policy, two pooled models
    assert len(results) == 6 * 2 + 2
    r = results["neighbours@lott"]
    assert r["link"] == "logit" and r["vcov"]["type"] == "cluster"
    assert {c["term"] for c in r["coefficients"]} >= {"neighbors", "t_1", "t_2", "t_3"}
    assert r["nobs"] == _fit(us_run, "neighbours@lott").result.nobs == 1402
    run = json.loads((out / "run.json").read_text())
    assert run["seed"] == 20240601 and run["versions"]["python"]
    assert set(run["inputs_sha256"]) >= {"spid:spid_policy_adoptions.csv"}
    assert all(len(h) == 64 for h in run["inputs_sha256"].values())
    assert isinstance(run["exclusions"], list)
    assert run["network"]["n_edges"] == 60
    assert "no zero-improvement edges" in run["network"]["mode"]
    for ext in ("csv", "tex", "md"):
        assert (out / "tables" / f"models_single_lott.{ext}").exists()
    for ext in ("png", "svg"):
        assert (out / "figures" / f"adoption_curves.{ext}").exists()
        assert (out / "figures" / f"map_lott.{ext}").exists()
        assert (out / "figures" / f"network.{ext}").exists()
    html = us_run.report.read_text()
    for text in ("Event-history models", "Inferred diffusion network", "Methods",
                 "cubic polynomial of duration", "cluster-robust by unit", "logit",
                 "SPID records adoptions only", "Edges that improve no tree are never added"):
        assert text in html, text
    assert "SIMULATED" not in html


def test_model_table_matches_results_json(us_run):
    res = _fit(us_run, "neighbours@lott").result
    md = (us_run.out / "tables" / "models_single_lott.md").read_text()
    assert f"{res.params['neighbors']:.3f}" in md
    assert f"({res.std_errors['neighbors']:.3f})" in md


def _row_labels(md):
    return [line.split("|")[1].strip() for line in md.splitlines()[2:]
            if line.startswith("|") and line.split("|")[1].strip()]


def test_model_tables_list_key_terms_first_and_hide_policy_dummies(us_run):
    rows = _row_labels((us_run.out / "tables" / "models_single_lott.md").read_text())
    key = ["Share of neighbours adopted", "Share of region adopted", "Share of all states adopted",
           "A leader state adopted", "Network sources adopted"]
    assert rows[:5] == key
    assert rows[5:12] == ["Northeast", "South", "West", "Latitude of the capital", "Duration/10",
                          "(Duration/10)²", "(Duration/10)³"]
    assert rows[12:14] == ["Constant", "Observations"]
    pooled = (us_run.out / "tables" / "models_pooled.md").read_text()
    assert "C(policy)" not in pooled
    assert "| Policy fixed effects | Yes | Yes |" in pooled
    assert _row_labels(pooled)[:5] == key


def test_key_terms_of_the_study_file_come_first(tmp_path):
    over = {**US_SMALL, "policies.focus": ["lott"], "network.enabled": False,
            "riskset": [{"name": "single", "unit_attributes": ["region", "capital_lat"],
                         "terms": [{"term": "neighbors_adopted", "relation": "contiguity",
                                    "kind": "share", "name": "neighbors"},
                                   {"term": "duration_poly", "name": "t"}]}],
            "model": [{"name": "m", "formula": "adopt ~ neighbors * capital_lat + t_1 + t_2"}],
            "report.key_terms": ["capital_lat"], "report.table_formats": ["markdown"],
            "report.figures": []}
    res = run_study(example_path("us_states_spid"), tmp_path, overrides=over)
    md = (tmp_path / "tables" / "models_single_lott.md").read_text()
    rows = _row_labels(md)
    assert rows[:4] == ["Latitude of the capital", "Share of neighbours adopted × Latitude of the capital",
                        "Share of neighbours adopted", "Duration/10"]
    assert res.state.sf.report.key_terms == ("capital_lat",)


@needs_china
def test_china_report_in_chinese_has_the_english_numbers(tmp_path):
    path = example_path("china_mobile_gov")
    en = run_study(path, tmp_path / "en", lang="en")
    zh = run_study(path, tmp_path / "zh", lang="zh")
    assert (json.loads((tmp_path / "en" / "results.json").read_text())
            == json.loads((tmp_path / "zh" / "results.json").read_text()))
    html_en, html_zh = en.report.read_text(), zh.report.read_text()
    assert _table_numbers(html_en) == _table_numbers(html_zh)
    assert len(_table_numbers(html_en)) > 100
    for text in ("模拟数据", "模型估计", "调节变量下的边际效应", "子样本异质性", "研究方法", "二元组稳健标准误",
                 "考察学习次数", "北京"):
        assert text in html_zh, text
    assert "SIMULATED DATA" in html_en and "data are simulated" in html_en
    # the estimator's warnings (e.g. separation in a subgroup) are in Chinese
    caught = [w for h in zh.state.heterogeneity for w in h.warnings] + \
        [w for m in zh.state.models for w in m.warnings]
    for english in ("perfectly predict", "did not converge", "Refit with"):
        assert english not in html_zh
        if any(english in w for w in caught):
            assert english in html_en
    results = json.loads((tmp_path / "en" / "results.json").read_text())
    assert set(results) == {"visits", "coercive", "mimetic", "normative", "full", "visits_full",
                            "monadic"}
    assert results["full"]["vcov"]["type"] == "dyadic"
    assert len(zh.state.moderation) == 3 and len(zh.state.heterogeneity) == 3
    assert not any("same_agglomeration" in w.fields.get("terms", ()) for m in zh.state.models
                   for w in m.warnings if w.category == "SeparationWarning")
    # issue 10: the separated 11-row subgroup is refitted with Firth and labelled so; the
    # gap split's difference comes from the pooled dyadic model
    agg = (tmp_path / "en" / "tables" / "heterogeneity_visits_same_agglomeration.csv").read_text()
    assert "Estimate (Firth)" in agg and "37.5" not in agg and ",0.466," in agg
    gap = (tmp_path / "en" / "tables" / "heterogeneity_visits_perf_gap.csv").read_text()
    assert "difference 1.569 (SE 0.389)" in gap
    # the dyadic sandwich of model 'full' is indefinite: corrected, recorded, warned with fields
    full = results["full"]
    assert full["vcov"]["psd_correction"]["eigenvalues"][0] < 0
    assert any(w["category"] == "VarianceCorrectionWarning" and "visits" in w["fields"]["terms"]
               for w in full["warnings"])


def test_model_latex_is_a_captioned_float_with_table_notes(us_run):
    tex = (us_run.out / "tables" / "models_single_lott.tex").read_text()
    assert r"\begin{table}[htbp]" in tex and r"\begin{threeparttable}" in tex
    assert r"\caption{" in tex and r"\label{tab:models_single_lott}" in tex
    assert r"\begin{tablenotes}" in tex and r"\item Standard errors" in tex
    assert r"\textminus{}" in tex and "& -" not in tex  # minus signs, not hyphens
    assert "Events" in tex and "BIC" in tex
    caption = next(line for line in tex.splitlines() if line.startswith(r"\caption{"))
    assert caption.startswith(r"\caption{Discrete-time hazard models: adoption of ")
    assert "single" not in caption  # no internal risk-set key
