"""Re-invention index and drift figure on hand-made series whose drift is known."""

from __future__ import annotations

import io
import warnings

import matplotlib
import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.reinvention import (likely_sources, pair_similarity, read_texts,
                                         reinvention_index)

matplotlib.use("Agg")
WORDS = [f"w{k}" for k in range(40)]


def _series(keep: list[int], years: list[int] | None = None):
    """Text k keeps the first keep[k] of 24 base words and replaces the rest with new ones."""
    texts = []
    for k, n in enumerate(keep):
        words = WORDS[:n] + [f"new{k}_{m}" for m in range(24 - n)]
        texts.append(" ".join(words[:12]) + ". " + " ".join(words[12:]) + ".")
    units = [f"u{k}" for k in range(len(keep))]
    return read_texts(pd.DataFrame({"policy": "p", "unit": units, "text": texts}),
                      adoptions=pd.DataFrame({"policy": "p", "unit": units,
                                              "year": years or list(range(2000, 2000 + len(keep)))}))


def test_copies_have_index_zero_and_drift_is_negative():
    same = _series([24, 24, 24])
    d0 = reinvention_index(likely_sources(pair_similarity(same), same))
    assert d0.table["index"].iloc[0] == pytest.approx(0.0)
    drift = _series([24, 20, 16, 12])
    d = reinvention_index(likely_sources(pair_similarity(drift), drift))
    row = d.table.iloc[0]
    assert row["index"] > 0.2 and row["slope"] < 0 and row["rho"] == pytest.approx(-1.0)


def test_summary_says_why_there_is_no_slope_and_n_used_counts_what_was_used():
    # before: "slope +nan per year, Spearman rho +nan (p = nan), 4 texts" (the shipped
    # paid_sick_leave: every bill after the first from 2015), with n counting the reference
    t = _series([24, 20, 16, 12], [2000, 2005, 2005, 2005])
    d = reinvention_index(likely_sources(pair_similarity(t), t))
    row = d.table.iloc[0]
    assert row["n"] == 4 and row["n_used"] == 3 and row["index"] > 0.2
    assert row["no_trend"] == "every text besides the reference from one year, 2005"
    text = d.summary()
    assert "nan" not in text
    assert ("no slope or Spearman rho (every text besides the reference from one year, 2005), "
            "4 texts, 3 in the index and slope") in text
    # a truncated text is left out of n_used (and of the index) but counted in n
    src = likely_sources(pair_similarity(t), t)
    from policydiffusion.reinvention import Sources

    cut = Sources(src.table.assign(truncated=[False, False, False, True]))
    row = reinvention_index(cut).table.iloc[0]
    assert row["n"] == 4 and row["n_used"] == 2
    # two texts at different times give a slope: no reason
    ok = _series([24, 20, 16])
    row = reinvention_index(likely_sources(pair_similarity(ok), ok)).table.iloc[0]
    assert row["no_trend"] is None and row["n_used"] == 2


def test_central_reference_is_the_medoid():
    t = _series([12, 24, 20, 16])  # u1 shares most with everyone
    pairs = pair_similarity(t)
    d = reinvention_index(likely_sources(pairs, t), reference="central", pairs=pairs)
    assert d.table["reference"].iloc[0] == "u1"
    with pytest.raises(InvalidOptionError, match="needs the pair table"):
        reinvention_index(likely_sources(pairs, t), reference="central")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_drift_figure(lang):
    t = _series([24, 20, 16])
    fig = reinvention_index(likely_sources(pair_similarity(t), t)).plot(lang=lang)
    ax = fig.axes[0]
    assert len(ax.collections) == 1 and len(ax.lines) == 1
    assert ("相似度" in ax.get_ylabel()) == (lang == "zh")
    if lang == "zh":  # the Chinese font is named on the text itself, so saving later works
        assert ax.yaxis.label.get_fontfamily()[0] != "sans-serif"
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # "Glyph ... missing from font" would be a warning
            fig.savefig(io.BytesIO(), format="svg")


def test_spearman_p_is_exact_for_few_texts():
    # three later texts in perfect order: the t approximation printed p = 0; exact 2/3! = 1/3
    t = _series([24, 20, 16, 12])
    row = reinvention_index(likely_sources(pair_similarity(t), t)).table.iloc[0]
    assert row["rho"] == pytest.approx(-1.0) and row["rho_p"] == pytest.approx(1 / 3)


def test_spearman_matches_r_cor_test_exact():
    from pathlib import Path

    import numpy as np

    from policydiffusion.reinvention._drift import spearman

    gold = pd.read_csv(Path(__file__).parent / "golden" / "spearman_exact.csv")
    for r in gold.itertuples(index=False):
        x = np.array(r.x.split(";"), dtype=float)
        y = np.array(r.y.split(";"), dtype=float)
        rho, p = spearman(x, y)
        assert rho == pytest.approx(r.rho, abs=1e-12) and p == pytest.approx(r.p_value, abs=1e-9)


def test_spearman_exact_null_is_enumerated_once_per_rank_pattern(monkeypatch):
    # enumerating 9! orderings on every call made each drift row cost milliseconds; the
    # null distribution depends only on the rank pattern, so it is built once per pattern
    from itertools import permutations

    import numpy as np

    from policydiffusion.reinvention import _drift

    calls = []
    orderings = _drift._orderings

    def counted(n):
        calls.append(n)
        return orderings(n)

    monkeypatch.setattr(_drift, "_orderings", counted)
    _drift._null_numerators.cache_clear()
    rng = np.random.default_rng(3)
    x = np.arange(7.0)
    for _ in range(4):  # tie-free samples of one size share one null distribution
        _drift.spearman(x, rng.permutation(7).astype(float))
    assert calls == [7]
    y = np.array([1.0, 1.0, 2.0, 3.0, 3.0, 3.0, 4.0])  # ties: a pattern of its own
    rho, p = _drift.spearman(x, y)
    assert calls == [7, 7]
    # the p-value is still the share of all orderings at least as extreme (brute force)
    ry = _drift.stats.rankdata(y) - 4.0
    null = [np.dot(x[list(o)] - 3.0, ry) for o in permutations(range(7))]
    num = np.dot(x - 3.0, ry)
    assert p == pytest.approx(np.mean(np.abs(null) >= abs(num) - 1e-9), abs=1e-15)
