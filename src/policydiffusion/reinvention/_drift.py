"""Re-invention over time: does content drift away from the first (or central) text?

For each policy, every adopter's text is compared with a reference text: the first
adopter's (``reference="first"``) or the *central* one, the text with the highest mean
similarity to all others (``reference="central"``, a medoid). Two numbers summarise
the drift:

- ``index`` = 1 - the mean similarity of the other adopters' texts to the reference:
  the share of the reference's content that, on average, is not carried over (0 when
  every adopter copies the reference verbatim, 1 when none shares anything);
- ``slope`` = the least-squares slope of that similarity on years since the first
  adoption (negative when later adopters stray further), with Spearman's ``rho``
  between similarity and adoption time. Its p-value (``rho_p``, two-sided) is exact
  for up to 9 texts (every ordering enumerated, as R's ``cor.test(method="spearman")``
  does without ties; the t approximation printed p = 0 for three texts in perfect
  order, whose exact p is 1/3) and the t approximation above.

``n`` counts the policy's texts; ``n_used`` those in the index and the slope (the
reference and truncated texts left out). Where there is no slope or rho,
``no_trend`` says why (fewer than two texts used, all from one year, all equally
similar to the reference).

Similarity levels depend on the language and tokens (Chinese characters align less
completely than English words), so compare indices within a language.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import permutations

import numpy as np
import pandas as pd
from scipy import stats

from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.reinvention._pairs import PairTable
from policydiffusion.reinvention._sources import Sources

__all__ = ["Drift", "reinvention_index", "spearman"]

#: up to this many points the Spearman p-value enumerates every ordering (9! = 362,880)
EXACT_SPEARMAN_MAX = 9


@dataclass(frozen=True)
class Drift:
    """``table``: one row per policy (``policy, reference, n, n_used, index, slope, rho,
    rho_p, no_trend``; see the module text); ``points``: one row per adopter
    (``policy, unit, time, order, similarity``)."""

    table: pd.DataFrame
    points: pd.DataFrame
    reference: str

    def tidy(self) -> pd.DataFrame:
        """The per-policy table."""
        return self.table.copy()

    def summary(self) -> str:
        """One line per policy; a missing number is named with why it is missing."""
        return "\n".join(_summary_line(r, self.reference) for r in self.table.itertuples(index=False))

    def plot(self, *, ax=None, lang: str = "en"):
        """Similarity to the reference against adoption time: see
        :func:`policydiffusion.report.figures.plot_drift` (where the figure lives)."""
        from policydiffusion.report.figures.reinvention import plot_drift

        return plot_drift(self, ax=ax, lang=lang)


def _summary_line(r, reference: str) -> str:
    index = (f"re-invention index {r.index:.3f}" if np.isfinite(r.index)
             else "no re-invention index")
    if np.isfinite(r.slope):
        trend = f"slope {r.slope:+.4f} per year, " + (
            f"Spearman rho {r.rho:+.3f} (p = {r.rho_p:.3g})" if np.isfinite(r.rho)
            else f"no Spearman rho ({r.no_trend})")
    else:
        trend = f"no slope or Spearman rho ({r.no_trend})"
    left = r.n - r.n_used
    used = f", {r.n_used} in the index and slope" if left else ""
    return (f"{r.policy}: {index} (vs {reference} text, {r.reference}), {trend}, "
            f"{r.n} texts{used}")


def _no_trend(t: np.ndarray, s: np.ndarray) -> str | None:
    """Why the texts used give no slope or rho (None when they give both)."""
    if len(t) < 2:
        return f"{len(t)} text{'s' * (len(t) != 1)} besides the reference and truncated ones"
    if not np.ptp(t) > 0:
        return f"every text besides the reference from one year, {t[0]:g}"
    if not np.ptp(s) > 0:
        return "every text equally similar to the reference"
    return None


def reinvention_index(sources: Sources, *, reference: str = "first",
                      pairs: PairTable | None = None) -> Drift:
    """Drift of each policy's texts from the first or the central text (see the module text).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.reinvention import likely_sources, pair_similarity, read_texts
    >>> t = read_texts(pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"], "text": [
    ...     "One two three four five six seven eight.", "One two three four five six nine ten.",
    ...     "One two three four eleven twelve thirteen fourteen."]}),
    ...     adoptions=pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"],
    ...                             "year": [2001, 2002, 2003]}))
    >>> d = reinvention_index(likely_sources(pair_similarity(t), t))
    >>> d.table[["policy", "reference", "n", "n_used", "index", "slope"]].round(3)
      policy reference  n  n_used  index  slope
    0      p         A  3       2  0.375  -0.25
    """
    check_choice("reference", reference, ("first", "central"))
    if reference == "central" and pairs is None:
        raise InvalidOptionError("reference='central' needs the pair table: "
                                 "reinvention_index(sources, reference='central', pairs=pairs).")
    rows, points = [], []
    for policy, g in sources.table.groupby("policy", sort=True):
        if reference == "first":
            ref = g["first"].iloc[0]
            sim = g["similarity_to_first"].to_numpy(dtype=float)
        else:
            ref, sim = _central(pairs.pairs[pairs.pairs["policy"] == policy], g["unit"].tolist())
        start = float(g["time"].min())
        # a text cut off in the source lacks articles it may well have had: its lower
        # similarity is not re-invention, so it stays out of the index and the trend
        others = ((g["unit"] != ref) & ~g["truncated"].astype(bool)).to_numpy()
        t, s = g["time"].to_numpy(dtype=float)[others], sim[others]
        index = 1.0 - float(s.mean()) if len(s) else np.nan
        if len(s) >= 2 and np.ptp(t) > 0:
            fit = stats.linregress(t - start, s)
            slope, intercept = float(fit.slope), float(fit.intercept)
            rho, rho_p = spearman(t, s) if np.ptp(s) > 0 else (np.nan, np.nan)
        else:
            slope = intercept = rho = rho_p = np.nan
        rows.append((policy, ref, len(g), len(s), index, slope, intercept, start, float(rho),
                     float(rho_p), _no_trend(t, s)))
        points.append(pd.DataFrame({"policy": policy, "unit": g["unit"], "time": g["time"],
                                    "order": g["order"], "similarity": sim}))
    table = pd.DataFrame(rows, columns=["policy", "reference", "n", "n_used", "index", "slope",
                                        "intercept", "start", "rho", "rho_p", "no_trend"])
    return Drift(table, pd.concat(points, ignore_index=True), reference)


def spearman(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Spearman's rho and its two-sided p-value: exact up to ``EXACT_SPEARMAN_MAX``
    points (share of all orderings of ``x``'s ranks with ``|rho|`` at least the
    observed; with ties, the exact permutation test on mid-ranks), else scipy's t
    approximation.

    Examples
    --------
    >>> rho, p = spearman(np.array([1.0, 2.0, 3.0]), np.array([0.9, 0.5, 0.2]))
    >>> float(rho), round(p, 4)   # exact (scipy's t approximation: 0)
    (-1.0, 0.3333)
    """
    n = len(x)
    if n > EXACT_SPEARMAN_MAX:
        rho, p = stats.spearmanr(x, y)
        return float(rho), float(p)
    rx, ry = stats.rankdata(x), stats.rankdata(y)
    rx, ry = rx - rx.mean(), ry - ry.mean()
    denom = np.sqrt((rx ** 2).sum() * (ry ** 2).sum())
    if not denom > 0:
        return np.nan, np.nan
    rho = float(rx @ ry / denom)
    values, counts = _null_numerators(tuple(np.sort(rx)), tuple(np.sort(ry)))
    # a tolerance so that an ordering as extreme as the observed is not lost to rounding
    extreme = counts[np.abs(values / denom) >= abs(rho) - 1e-9].sum()
    return rho, float(extreme / counts.sum())


@lru_cache(maxsize=256)
def _null_numerators(rx: tuple[float, ...], ry: tuple[float, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values of ``sum rx[perm] * ry`` over every ordering, with how many
    orderings give each: the exact null distribution's numerator, computed once per
    pattern of (mid-)ranks. It depends only on the two sorted centred rank vectors (the
    same for every tie-free sample of one size), and the sums are exact (centred
    mid-ranks are multiples of 1/2), so the p-value is the one enumerating every call
    gives, to the last bit."""
    null = np.asarray(rx)[_orderings(len(rx))] @ np.asarray(ry)
    values, counts = np.unique(null, return_counts=True)
    values.flags.writeable = counts.flags.writeable = False
    return values, counts


@lru_cache(maxsize=EXACT_SPEARMAN_MAX)
def _orderings(n: int) -> np.ndarray:
    """Every permutation of range(n), one per row."""
    return np.array(list(permutations(range(n))), dtype=np.int8)


def _central(pairs: pd.DataFrame, units: list[str]) -> tuple[str, np.ndarray]:
    """The medoid text (highest mean similarity to the others) and everyone's similarity to it."""
    pos = {u: k for k, u in enumerate(units)}
    m = np.eye(len(units))
    for i, j, s in pairs[["i", "j", "similarity"]].itertuples(index=False):
        m[pos[i], pos[j]] = s
    ref = int(np.argmax(m.mean(axis=1)))  # ties: the earlier adopter
    return units[ref], m[:, ref].copy()
