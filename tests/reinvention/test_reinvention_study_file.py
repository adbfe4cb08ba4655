"""[reinvention] in a study file: the step runs, the report shows it in English and Chinese."""

from __future__ import annotations

import json

import pytest

from policydiffusion.errors import StudyFileError
from policydiffusion.pipeline import run_study

STUDY = '''
[study]
title = "Texts"
[data]
adoptions = "adoptions.csv"
end = 2008
[reinvention]
texts = "texts"
[[riskset]]
name = "rs"
design = "dyadic"
policies = ["other"]
terms = [{term = "relation_count", relation = "text_similarity", window = "cumulative", name = "borrowed"}]
[report]
figures = ["reinvention"]
figure_formats = ["svg"]
table_formats = ["csv"]
'''
BASE = ["A person has no duty to retreat from any place where he has a right to be.",
        "The person may meet force with force including deadly force if reasonable.",
        "The court shall award reasonable attorney fees to a defendant found immune."]


@pytest.fixture
def study(tmp_path):
    (tmp_path / "texts" / "syg").mkdir(parents=True)
    texts = {"U1": BASE, "U2": BASE[:2] + ["Every sheriff shall report each use of force."],
             "U3": BASE[:1] + ["Every sheriff shall report each use of force."]}
    for unit, sents in texts.items():
        (tmp_path / "texts" / "syg" / f"{unit}.txt").write_text(" ".join(sents), encoding="utf-8")
    rows = [("syg", "U1", 2001), ("syg", "U2", 2002), ("syg", "U3", 2003), ("other", "U4", 2001),
            ("other", "U2", 2003), ("other", "U3", 2005), ("other", "U1", 2006)]
    (tmp_path / "adoptions.csv").write_text("policy,unit,time\n" + "".join(
        f"{p},{u},{y}\n" for p, u, y in rows))
    (tmp_path / "study.toml").write_text(STUDY)
    return tmp_path


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_reinvention_section_runs_and_reports(study, lang):
    res = run_study(study / "study.toml", study / f"out_{lang}", lang=lang)
    src = res.state.reinvention.sources.table.set_index("unit")
    assert src["source"].to_dict() == {"U1": None, "U2": "U1", "U3": "U2"}
    html = res.report.read_text(encoding="utf-8")
    assert ("Re-invention" in html) == (lang == "en") and ("再创新" in html) == (lang == "zh")
    assert any("reinvention_drift" in p.name for p in res.figures)
    assert any("reinvention_tree_syg" in p.name for p in res.figures)
    run_json = json.loads((study / f"out_{lang}" / "run.json").read_text(encoding="utf-8"))
    assert [r["source"] for r in run_json["reinvention"]["sources"]] == [None, "U1", "U2"]
    assert "text_similarity" in res.state.study.relations
    # the relation feeds a dyadic term of another policy: U1's row for source U2 carries
    # their syg similarity; U4 has no text, so nothing
    data = res.state.risksets[0].riskset.data.to_pandas().set_index(["unit", "source", "period"])
    sim = res.state.reinvention.pairs.pairs.set_index(["i", "j"])["similarity"]
    assert 0 < sim[("U1", "U2")] < 1
    assert data.loc[("U1", "U2", 2004), "borrowed"] == pytest.approx(sim[("U1", "U2")])
    assert data.loc[("U3", "U2", 2004), "borrowed"] == pytest.approx(sim[("U3", "U2")])
    assert data.loc[("U1", "U4", 2004), "borrowed"] == 0.0


def test_missing_texts_is_a_study_file_error(study):
    (study / "study.toml").write_text(STUDY.replace('texts = "texts"', 'candidates = "all"'))
    with pytest.raises(StudyFileError, match="reinvention.*needs `texts`"):
        run_study(study / "study.toml", study / "out")
