"""text_similarity as a relation and a dyadic term; the netinf comparison."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from policydiffusion import terms as T
from policydiffusion.reinvention import (compare_netinf, likely_sources, pair_similarity,
                                         read_texts, text_similarity_relation)
from policydiffusion.reinvention._sources import Sources
from policydiffusion.riskset import dyadic_riskset
from policydiffusion.study import load_study

BASE = "one two three four five six seven eight nine ten"


def _study_and_relation():
    # policy q (texts): A 2001, B 2002 (copies A with changes), C 2003 (copies A verbatim)
    # policy p (no texts, the model's outcome): E 2001, A 2004, D 2006
    adopt = pd.DataFrame({"policy": ["q", "q", "q", "p", "p", "p"],
                          "unit": ["A", "B", "C", "E", "A", "D"],
                          "time": [2001, 2002, 2003, 2001, 2004, 2006]})
    texts = pd.DataFrame({"policy": "q", "unit": ["A", "B", "C"],
                          "text": [BASE + ".", BASE.replace("nine ten", "x y") + ".", BASE + "."]})
    t = read_texts(texts, adoptions=adopt[adopt.policy == "q"].rename(columns={"time": "year"}))
    pairs = pair_similarity(t)
    rel = text_similarity_relation(pairs, likely_sources(pairs, t))
    study = load_study(adopt, end=2007).with_relation(rel)
    return study, pairs


def test_term_uses_only_similarities_known_before_t():
    study, pairs = _study_and_relation()
    sim = pairs.pairs.set_index(["i", "j"])["similarity"]
    assert sim[("A", "B")] == pytest.approx(0.8) and sim[("A", "C")] == 1.0
    df = dyadic_riskset(study, policy="p", terms=[T.text_similarity()], conditional=False).data

    def val(unit, period, source):
        f = df.filter((pl.col("unit") == unit) & (pl.col("period") == period)
                      & (pl.col("source") == source))
        return f.get_column("text_similarity").item()

    # C and A: both adopted q by 2003 -> known from 2004 on (lag 1), never before
    assert val("C", 2003, "A") == 0.0
    assert val("C", 2004, "A") == pytest.approx(1.0)
    assert val("B", 2005, "A") == pytest.approx(0.8)
    assert val("D", 2005, "A") == 0.0  # D has no text


def test_netinf_comparison_counts_hits_and_baseline():
    src = Sources(pd.DataFrame({"policy": ["p"] * 4 + ["q"] * 3,
                                "unit": ["A", "B", "C", "D", "A", "B", "C"],
                                "time": [1, 2, 3, 4, 1, 2, 3],
                                "source": [None, "A", "A", "B", None, "A", "B"]}))
    edges = pd.DataFrame({"origin": ["A", "A", "B"], "destination": ["B", "C", "D"]})
    cmp = compare_netinf(edges, src, n_permutations=500, seed=2)
    # instances: A->B in p and q (hits), A->C in p (hit) and q (miss: C's source is B),
    # B->D in p (hit)
    assert cmp.n_instances == 5 and cmp.share == pytest.approx(4 / 5)
    assert cmp.baseline == pytest.approx((1 + 1 / 2 + 1 + 1 / 2 + 1 / 3) / 5)
    again = compare_netinf(edges, src, n_permutations=500, seed=2)
    assert again.p_value == cmp.p_value  # seeded
