"""Renaming a term has one spelling, ``name=``, in Python, the CLI term grammar and the
study file; the old spellings (``.alias()``, ``as=``) still work and warn."""

import inspect

import pandas as pd
import pytest

from policydiffusion import terms as T
from policydiffusion.cli.riskset import parse_term
from policydiffusion.errors import DeprecatedSpellingWarning
from policydiffusion.pipeline.risksets import build_terms
from policydiffusion.studyfile import parse_study_file
from policydiffusion.studyfile._terms import known_terms
from test_validate import MINIMAL

STUDY = MINIMAL.replace(
    'terms = [{term = "neighbors_adopted", relation = "contiguity"}]',
    'terms = [{term = "relation_count", relation = "visits", name = "visits_n"},\n'
    '         {term = "national_share", name = "natl"}]')


@pytest.mark.parametrize("builder", sorted(T.BUILDERS))
def test_every_builder_takes_name(builder):
    assert inspect.signature(T.BUILDERS[builder]).parameters["name"].kind \
        is inspect.Parameter.KEYWORD_ONLY
    assert list(known_terms()[builder]).count("name") == 1


def test_python_builders_rename_with_name():
    assert T.relation_count(name="visits_n").name == "visits_n"
    renamed, plain = T.national_share(lag=2, name="natl"), T.national_share(lag=2)
    assert renamed.name == "natl" and renamed.lag == plain.lag == 2
    assert renamed.description == plain.description
    pilots = pd.DataFrame({"policy": ["p"], "unit": ["A"], "period": [2001]})
    assert T.pilot_designated(pilots, name="p").name == "p"
    assert T.text_similarity(name="s").name == "s"
    with pytest.raises(Exception, match="non-empty column name"):
        T.national_share(name=" ")


def test_cli_term_grammar_renames_with_name():
    assert parse_term("relation_count:visits,name=visits_n").name == "visits_n"
    assert parse_term("covariate:gdp,lag=1,name=2020").name == "2020"


def test_study_file_renames_with_name():
    sf = parse_study_file(STUDY, file="s.toml")
    assert [t.name for t in build_terms(sf, sf.risksets[0].terms)] == ["visits_n", "natl"]


def test_old_spellings_still_work_and_warn():
    with pytest.warns(DeprecatedSpellingWarning, match="name="):
        assert T.national_share().alias("natl").name == "natl"
    with pytest.warns(DeprecatedSpellingWarning, match="as= is deprecated; write name=natl"):
        assert parse_term("national_share:lag=2,as=natl").name == "natl"
