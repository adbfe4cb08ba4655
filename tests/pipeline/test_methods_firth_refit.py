"""Issue 10, item 7: the methods text says when a fit was refitted with Firth because of
separation (on_separation = "firth"), from the fitted models' own metadata."""

import pytest

from policydiffusion.pipeline.assemble import _methods
from policydiffusion.pipeline.run import analyse
from policydiffusion.studyfile import load_study_file

STUDY = '''
[study]
title = "Separated toy"
[data]
adoptions = "adoptions.csv"
units = "units.csv"
end = 2010
[describe]
enabled = false
[[riskset]]
name = "rs"
unit_attributes = ["x", "z"]
terms = [{term = "national_share", name = "natl"}]
[[model]]
name = "sep"
formula = "adopt ~ x + natl"
on_separation = "firth"
[[model]]
name = "ok"
formula = "adopt ~ z + natl"
[[heterogeneity]]
model = "ok"
by = "x"
terms = ["z"]
on_separation = "firth"
'''


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    d = tmp_path_factory.mktemp("firth_refit")
    units = [f"U{i:02d}" for i in range(24)]
    # x = 1 for exactly the adopters: perfect separation in the full sample, and no
    # adoption at all in the x = 0 subgroup
    (d / "units.csv").write_text("unit,name,x,z\n" + "".join(
        f"{u},Unit {u},{int(i < 12)},{(i * 7) % 5}\n" for i, u in enumerate(units)))
    years = [2001, 2002, 2003, 2004, 2005, 2006, 2007, 2008, 2002, 2004, 2006, 2008]
    (d / "adoptions.csv").write_text("policy,unit,time\n" + "".join(
        f"p1,{u},{y}\n" for u, y in zip(units, years)))
    (d / "study.toml").write_text(STUDY)
    return analyse(load_study_file(d / "study.toml"))


def _text(state, lang):
    return " ".join(p.text[lang] for p in _methods(state).items)


def test_the_refit_is_in_the_fits_own_metadata(state):
    sep = next(m for m in state.models if m.key == "sep")
    assert sep.result.estimator == "firth"
    assert sep.result.provenance["separation_refit"]["terms"] == ["x"]
    assert next(m for m in state.models if m.key == "ok").result.estimator == "ml"


def test_methods_text_names_the_refitted_model_and_subgroups(state):
    en = _text(state, "en")
    assert ("Model sep was refitted with Firth's penalised likelihood because maximum "
            "likelihood detected (quasi-)separation in x") in en
    assert "The subgroup fits of ok by x were all refitted with Firth" in en
    assert "separation in subgroup(s) x = 0" in en
    assert "Model ok was refitted" not in en  # an ordinary ML fit is not a refit
    zh = _text(state, "zh")
    assert "模型 sep 的最大似然估计检测到（准）完全分离（x），因此改用 Firth 惩罚似然重新估计" in zh
    assert "模型 ok 按 x 的子样本估计中，子样本 x = 0 出现完全分离" in zh
