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
  between similarity and adoption time.

Similarity levels depend on the language and tokens (Chinese characters align less
completely than English words), so compare indices within a language.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.reinvention._pairs import PairTable
from policydiffusion.reinvention._sources import Sources

__all__ = ["Drift", "reinvention_index"]


@dataclass(frozen=True)
class Drift:
    """``table``: one row per policy (``policy, reference, n, index, slope, rho, rho_p``);
    ``points``: one row per adopter (``policy, unit, time, order, similarity``)."""

    table: pd.DataFrame
    points: pd.DataFrame
    reference: str

    def tidy(self) -> pd.DataFrame:
        """The per-policy table."""
        return self.table.copy()

    def summary(self) -> str:
        """One line per policy."""
        return "\n".join(
            f"{r.policy}: re-invention index {r.index:.3f} (vs {self.reference} text, {r.reference}),"
            f" slope {r.slope:+.4f} per year, Spearman rho {r.rho:+.3f} (p = {r.rho_p:.3g}),"
            f" {r.n} texts" for r in self.table.itertuples(index=False))

    def plot(self, *, ax=None, lang: str = "en"):
        """Similarity to the reference against adoption time: see
        :func:`policydiffusion.report.figures.plot_drift` (where the figure lives)."""
        from policydiffusion.report.figures.reinvention import plot_drift

        return plot_drift(self, ax=ax, lang=lang)


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
    >>> d.table[["policy", "reference", "n", "index", "slope"]].round(3)
      policy reference  n  index  slope
    0      p         A  3  0.375  -0.25
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
            rho, rho_p = stats.spearmanr(t, s) if np.ptp(s) > 0 else (np.nan, np.nan)
        else:
            slope = intercept = rho = rho_p = np.nan
        rows.append((policy, ref, len(g), index, slope, intercept, start, float(rho), float(rho_p)))
        points.append(pd.DataFrame({"policy": policy, "unit": g["unit"], "time": g["time"],
                                    "order": g["order"], "similarity": sim}))
    table = pd.DataFrame(rows, columns=["policy", "reference", "n", "index", "slope", "intercept",
                                        "start", "rho", "rho_p"])
    return Drift(table, pd.concat(points, ignore_index=True), reference)


def _central(pairs: pd.DataFrame, units: list[str]) -> tuple[str, np.ndarray]:
    """The medoid text (highest mean similarity to the others) and everyone's similarity to it."""
    pos = {u: k for k, u in enumerate(units)}
    m = np.eye(len(units))
    for i, j, s in pairs[["i", "j", "similarity"]].itertuples(index=False):
        m[pos[i], pos[j]] = s
    ref = int(np.argmax(m.mean(axis=1)))  # ties: the earlier adopter
    return units[ref], m[:, ref].copy()
