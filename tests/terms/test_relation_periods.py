"""A period-varying relation whose periods do not meet the risk set's periods."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError, PolicyDiffusionWarning
from policydiffusion.networks import sources_adopted
from policydiffusion.riskset import monadic_riskset
from policydiffusion.study import RelationSpec, load_study

ADOPT = pd.DataFrame({"policy": ["p"] * 3, "unit": ["A", "B", "C"], "time": [91, 93, 99]})


def study_with(years):
    net = pd.DataFrame({"i": ["C"] * len(years), "j": ["A"] * len(years), "year": years})
    return load_study(ADOPT, granularity="period",
                      relations={"net": RelationSpec(net, source="i", target="j", period="year",
                                                     directed=True)})


def test_two_digit_years_against_four_digit_network_is_refused_naming_both_ranges():
    study = study_with([1990, 1995, 1999])
    term = T.neighbors_adopted("net", kind="count", relation_lag=0, adoption_lag=0)
    with pytest.raises(InvalidOptionError) as exc:
        monadic_riskset(study, policy="p", terms=[term])
    msg = str(exc.value)
    assert "1990-1999" in msg and "91-99" in msg and "never meet" in msg
    with pytest.raises(InvalidOptionError, match="1990-1999"):
        sources_adopted(study, study.relation("net"))
    with pytest.raises(InvalidOptionError, match="never meet"):
        monadic_riskset(study, policy="p", terms=[T.exposure("net")])


def test_sparse_overlap_warns_and_full_overlap_is_silent():
    term = T.neighbors_adopted("net", kind="count", relation_lag=0, adoption_lag=0)
    with pytest.warns(PolicyDiffusionWarning, match="only 2 of the 9 row periods 91-99"):
        monadic_riskset(study_with([91, 92]), policy="p", terms=[term])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rs = monadic_riskset(study_with(list(range(91, 100))), policy="p", terms=[term])
    assert rs.data.height > 0


def test_the_lag_is_taken_into_account():
    # edges of 90 serve row 91 with relation_lag=1 (one served period of 9: a warning only)
    term = T.neighbors_adopted("net", kind="count", relation_lag=1)
    with pytest.warns(PolicyDiffusionWarning, match="only 1 of the 9"):
        monadic_riskset(study_with([90]), policy="p", terms=[term])
    with pytest.raises(InvalidOptionError, match="never meet"):
        monadic_riskset(study_with([99]), policy="p", terms=[term])


def test_dyadic_relation_count_is_checked_with_its_window():
    from policydiffusion.riskset import dyadic_riskset

    with pytest.raises(InvalidOptionError, match="never meet"):
        dyadic_riskset(study_with([1990, 1995]), policy="p", terms=[T.relation_count("net")])
    # visits of 91 count in 92..94 with window=3: 3 of the 9 row periods, a warning
    with pytest.warns(PolicyDiffusionWarning, match="only 3 of the 9"):
        dyadic_riskset(study_with([91]), policy="p", terms=[T.relation_count("net", window=3)])


def test_cli_term_grammar_and_study_file_take_the_lags():
    from policydiffusion.cli.riskset import parse_term
    from policydiffusion.studyfile._terms import known_terms

    t = parse_term("neighbors_adopted:relation=netinf,kind=count,relation_lag=0,adoption_lag=0")
    assert (t.relation_lag, t.adoption_lag, t.name) == (0, 0, "neighbors_adopted_netinf_count_l0")
    assert {"relation_lag", "adoption_lag"} <= set(known_terms()["neighbors_adopted"])
    assert parse_term("national_count:lag=0").name == "national_count_l0"
