"""Study files: defaults, and errors that name the file, line and field."""

import re
from pathlib import Path

import pytest

from policydiffusion.errors import StudyFileError
from policydiffusion.studyfile import EXAMPLES, example_path, load_study_file, parse_study_file

MINIMAL = '''[study]
title = "Lotteries"
[data]
dataset = "spid"
[policies]
focus = ["lott"]
[[riskset]]
name = "main"
terms = [{term = "neighbors_adopted", relation = "contiguity"}]
[[model]]
name = "m1"
formula = "adopt ~ neighbors_adopted"
'''


def problems(text, **kw):
    with pytest.raises(StudyFileError) as exc:
        parse_study_file(text, file="s.toml", **kw)
    return str(exc.value)


def test_minimal_file_gets_documented_defaults():
    sf = parse_study_file(MINIMAL, file="s.toml")
    m = sf.models[0]
    assert (m.riskset, m.link, m.vcov, m.firth, m.label) == (
        "main", "logit", {"cluster": "unit"}, False, {"en": "m1"})
    assert sf.risksets[0].design == "monadic" and sf.risksets[0].policies == ("lott",)
    assert sf.describe.policies == ("lott",) and sf.describe.enabled
    assert sf.report.language == "en" and sf.report.title == {"en": "Lotteries"}
    assert sf.report.figure_formats == ("png", "svg")
    assert sf.study.seed == 20240601
    assert sf.network is None


def test_dyadic_models_default_to_dyadic_robust_variance():
    text = MINIMAL.replace('name = "main"', 'name = "main"\ndesign = "dyadic"')
    assert parse_study_file(text).models[0].vcov == {"dyadic": ["unit", "source"]}


def test_unknown_key_names_line_field_and_suggestion():
    msg = problems(MINIMAL.replace('formula =', 'formla = "x"\nformula ='))
    assert "s.toml, line 12, field 'model.formla': unknown key 'formla' (did you mean 'formula'?)" in msg


def test_unknown_table_and_bad_choice():
    msg = problems(MINIMAL + '[reprt]\ntitle = "x"\n[[model]]\nname = "m2"\nformula = "adopt ~ x"\n'
                   'link = "logt"\n')
    assert "line 13, field 'reprt': unknown table [reprt] (did you mean 'report'?)" in msg
    assert "line 18, field 'model.link': must be one of 'logit', 'probit', 'cloglog'; got 'logt' " \
           "(did you mean 'logit'?)" in msg
    assert msg.startswith("2 problems in s.toml:")


def test_term_name_and_option_are_checked():
    msg = problems(MINIMAL.replace('{term = "neighbors_adopted", relation',
                                   '{term = "neighbours_adopted", relation'))
    assert "line 9, field 'riskset.terms[1].term': unknown term 'neighbours_adopted' " \
           "(did you mean 'neighbors_adopted'?)" in msg
    msg = problems(MINIMAL.replace('relation = "contiguity"', 'relaton = "contiguity"'))
    assert "field 'riskset.terms[1].relaton': term 'neighbors_adopted' has no option 'relaton' " \
           "(did you mean 'relation'?)" in msg


def test_required_key_missing_points_at_its_table():
    msg = problems(MINIMAL.replace('formula = "adopt ~ neighbors_adopted"\n', ''))
    assert "s.toml, line 10, field 'model.formula': missing required key 'formula'" in msg


def test_wrong_types_and_references():
    text = MINIMAL + '''[[moderation]]
model = "m9"
variable = "x"
moderator = "y"
[[model]]
name = "m2"
riskset = "mian"
formula = "adopt ~ 1"
vcov = {clustr = "unit"}
firth = "yes"
'''
    msg = problems(text)
    assert "line 14, field 'moderation.model': no [[model]] named 'm9'" in msg
    assert "line 19, field 'model.riskset': no [[riskset]] named 'mian' (did you mean 'main'?)" in msg
    assert "line 21, field 'model.vcov.clustr': unknown variance 'clustr'" in msg
    assert "line 22, field 'model.firth': must be true or false; got 'yes'" in msg


def test_moderation_variables_must_be_in_the_formula():
    text = MINIMAL + '[[moderation]]\nmodel = "m1"\nvariable = "neighbors_adopted"\nmoderator = "gdp"\n'
    assert "line 16, field 'moderation.moderator': 'gdp' does not appear in the formula" in problems(text)


def test_data_needs_a_dataset_or_files(tmp_path):
    msg = problems(MINIMAL.replace('dataset = "spid"', 'adoptions = "nowhere.csv"'))
    assert "line 4, field 'data.adoptions': file 'nowhere.csv' not found" in msg
    msg = problems(MINIMAL.replace('dataset = "spid"', 'dataset = "spdi"'))
    assert "did you mean 'spid'?" in msg
    (tmp_path / "a.csv").write_text("policy,unit,time\np,A,2001\n")
    sf = parse_study_file(MINIMAL.replace('dataset = "spid"', 'adoptions = "a.csv"'),
                          file=tmp_path / "s.toml")
    assert sf.data.adoptions == tmp_path / "a.csv"


def test_toml_syntax_errors_carry_the_line():
    msg = problems('[study]\ntitle = "x"\n[data\n')
    assert msg.startswith("s.toml: not valid TOML") and "line 3" in msg


def test_inferred_relation_needs_a_network_table():
    text = MINIMAL.replace('relation = "contiguity"', 'relation = "netinf"')
    assert "relation 'netinf' is inferred by a [network] table" in problems(text)
    sf = parse_study_file(text + "[network]\nn_edges = 40\n")
    assert sf.network.n_edges == 40 and sf.network.relation == "netinf"


def test_overrides_replace_values_before_validation():
    sf = parse_study_file(MINIMAL, overrides={"policies.focus": ["amber"], "model.0.link": "probit"})
    assert sf.risksets[0].policies == ("amber",) and sf.models[0].link == "probit"
    msg = problems(MINIMAL, overrides={"model.0.link": "tobit"})
    assert "field 'model.link': must be one of" in msg


def test_labels_accept_text_or_languages():
    sf = parse_study_file(MINIMAL + '[report.labels]\nneighbors_adopted = {en = "Neighbours", zh = "邻州"}\n'
                          'national_share = "National share"\n')
    assert sf.report.labels == {"neighbors_adopted": {"en": "Neighbours", "zh": "邻州"},
                                "national_share": {"en": "National share"}}
    msg = problems(MINIMAL + '[report.labels]\nx = {en = "X", fr = "X"}\n')
    assert "field 'report.labels.x.fr': unknown language 'fr'" in msg


def test_missing_file_is_a_study_file_error(tmp_path):
    with pytest.raises(StudyFileError, match="study file not found"):
        load_study_file(tmp_path / "nope.toml")


@pytest.mark.parametrize("name", EXAMPLES)
def test_shipped_examples_validate(name):
    sf = load_study_file(example_path(name))
    assert sf.models and sf.risksets


def test_field_reference_in_docs_is_current():
    from policydiffusion.studyfile._reference import field_reference

    doc = (Path(__file__).resolve().parents[2] / "docs" / "study-file.md").read_text()
    assert field_reference() in doc, (
        "docs/study-file.md is out of date: run python -m policydiffusion.studyfile._reference")


def test_example_in_the_docs_validates():
    doc = (Path(__file__).resolve().parents[2] / "docs" / "study-file.md").read_text()
    block = re.search(r"```toml\n(.*?)```", doc, re.S).group(1)
    sf = parse_study_file(block)
    assert sf.models[0].formula == "adopt ~ neighbors + t_1 + t_2 + t_3"


def test_key_terms_must_be_in_a_formula():
    assert parse_study_file(MINIMAL + '[report]\nkey_terms = ["neighbors_adopted"]\n').report.key_terms \
        == ("neighbors_adopted",)
    msg = problems(MINIMAL + '[report]\nkey_terms = ["neighbors_adoptd"]\n')
    assert ("line 14, field 'report.key_terms[1]': 'neighbors_adoptd' does not appear in any model "
            "formula (did you mean 'neighbors_adopted'?)") in msg


def test_data_keys_ignored_with_a_shipped_dataset_are_reported():
    msg = problems(MINIMAL.replace('dataset = "spid"', 'dataset = "spid"\nunits = "u.csv"\n'
                                   'granularity = "month"\nend = 2010'))
    assert "line 5, field 'data.units': ignored with a shipped dataset; use adoptions = ... to read " \
           "your own files" in msg
    assert "line 6, field 'data.granularity': ignored with a shipped dataset" in msg
    assert "data.end" not in msg  # spid reads `end`
    msg = problems(MINIMAL.replace('dataset = "spid"', 'dataset = "china_mobile_gov"\nend = 2010'))
    assert "line 5, field 'data.end': ignored with a shipped dataset" in msg


def test_moderation_defaults_to_the_probability_scale():
    # issue 10, item 9: report figures default to the response scale (every link is nonlinear)
    text = MINIMAL.replace("neighbors_adopted\"\n", "neighbors_adopted * capital_lat\"\n")
    sf = parse_study_file(text + '[[moderation]]\nmodel = "m1"\nvariable = "neighbors_adopted"\n'
                          'moderator = "capital_lat"\n', file="s.toml")
    assert sf.moderation[0].scale == "probability"


def test_duplicate_moderation_requests_are_refused():
    text = MINIMAL.replace("neighbors_adopted\"\n", "neighbors_adopted * capital_lat\"\n")
    block = '[[moderation]]\nmodel = "m1"\nvariable = "neighbors_adopted"\nmoderator = "capital_lat"\n'
    assert "repeats [[moderation]] 1" in problems(text + block + block)
    # the same pair on the other scale is a different figure
    sf = parse_study_file(text + block + block + 'scale = "linear"\n', file="s.toml")
    assert [m.scale for m in sf.moderation] == ["probability", "linear"]


def test_on_separation_in_model_and_heterogeneity():
    sf = parse_study_file(MINIMAL, file="s.toml")
    assert sf.models[0].on_separation == "mark"
    text = MINIMAL + ('on_separation = "firth"\n[[heterogeneity]]\nmodel = "m1"\n'
                      'by = "neighbors_adopted"\non_separation = "mark"\n')
    sf = parse_study_file(text, file="s.toml")
    assert sf.models[0].on_separation == "firth" and sf.heterogeneity[0].on_separation == "mark"
    assert "'model.on_separation'" in problems(MINIMAL + 'on_separation = "penalise"\n')
    china = load_study_file(example_path("china_mobile_gov"))
    assert {h.on_separation for h in china.heterogeneity} == {"firth"}
