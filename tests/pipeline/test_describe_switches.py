"""[describe] fit_curves / takeoff / speed switch the matching columns of the report's glance table."""

from types import SimpleNamespace

from policydiffusion.datasets import spid_study
from policydiffusion.pipeline.assemble import _description
from policydiffusion.pipeline.describe import describe_step
from policydiffusion.studyfile import parse_study_file

TEXT = '''[study]
title = "t"
[data]
dataset = "spid"
[policies]
focus = ["lott"]
[describe]
{switches}
[[riskset]]
name = "main"
terms = [{{term = "neighbors_adopted", relation = "contiguity"}}]
[[model]]
name = "m1"
formula = "adopt ~ neighbors_adopted"
'''


def _glance_columns(switches, study, descriptions=None):
    sf = parse_study_file(TEXT.format(switches=switches))
    desc = descriptions or describe_step(study, sf, seed=1)
    state = SimpleNamespace(descriptions=desc, sf=sf, study=study)
    table = _description(state, 3).items[1]
    header = table.render("csv", "en").splitlines()[0]
    return header, desc


def test_describe_switches_omit_their_columns():
    study = spid_study(end=2017)
    header, desc = _glance_columns("", study)
    switched = ("Take-off", "Periods to half", "Speed (0-1)", "Best-fitting curve")
    for col in switched:
        assert col in header
    off, _ = _glance_columns("fit_curves = false\ntakeoff = false\nspeed = false", study, desc)
    assert off == ",".join(c for c in header.split(",") if c not in switched)


def test_glance_says_why_there_is_no_takeoff():
    """adc reaches 10% in its first year (1936: no take-off); the receivership act never
    does: the cell says which, in both languages (both were blank)."""
    ids = ["adc", "commercial real estate receivership act", "lott"]
    study = spid_study(policies=ids, end=2017)
    sf = parse_study_file(TEXT.format(switches="").replace('focus = ["lott"]', f"focus = {ids!r}".replace("'", '"')))
    state = SimpleNamespace(descriptions=describe_step(study, sf, seed=1), sf=sf, study=study)
    table = _description(state, 3).items[1]
    for lang, first, never in (("en", "none (no slow start)", "not reached"), ("zh", "无（首期即达 10%）", "未达到")):
        rows = table.render("csv", lang).splitlines()
        assert first in rows[1] and never in rows[2], lang
        assert "1964" in rows[3]  # lott: its take-off year as before


def test_methods_state_the_limits_of_the_descriptive_measures():
    from policydiffusion.pipeline.methods import methods_paragraphs

    paras = methods_paragraphs(designs=[], models=[], time=[], moderation=[], heterogeneity=[],
                               network=None, describe=True, simulated=False)
    text = {lang: " ".join(p[lang] for p in paras) for lang in ("en", "zh")}
    assert "has no take-off" in text["en"] and "kurtosis above 10" in text["en"]
    assert "没有起飞期" in text["zh"] and "峰度大于 10" in text["zh"]


def test_glance_and_methods_say_the_best_curve_is_undetermined():
    """"compact for a balanced budget" (all adoptions in two years): the exponential
    alone has an optimum but the logistic/Bass step is not ruled out; the cell said
    "Modified exponential" (elimination), now "undetermined" in both languages."""
    from policydiffusion.pipeline.methods import methods_paragraphs

    ids = ["compact for a balanced budget", "lott"]
    study = spid_study(policies=ids, end=2017)
    sf = parse_study_file(TEXT.format(switches="").replace('focus = ["lott"]', f"focus = {ids!r}".replace("'", '"')))
    state = SimpleNamespace(descriptions=describe_step(study, sf, seed=1), sf=sf, study=study)
    table = _description(state, 3).items[1]
    for lang, word in (("en", "undetermined (a family without a certified optimum is not ruled out)"),
                       ("zh", "无法确定（无经检验最优解的曲线族不能被排除）")):
        rows = table.render("csv", lang).splitlines()
        assert word in rows[1] and word not in rows[2], lang
    paras = methods_paragraphs(designs=[], models=[], time=[], moderation=[], heterogeneity=[],
                               network=None, describe=True, simulated=False)
    text = {lang: " ".join(p[lang] for p in paras) for lang in ("en", "zh")}
    assert "dynamics are then reported as undetermined rather than chosen among the rest by elimination" in text["en"]
    assert "扩散动态均报告为无法确定，而不是在其余曲线族中以排除法选出" in text["zh"]
