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
        """Similarity to the reference against adoption time, one panel line per policy.

        Returns the matplotlib Figure. ``lang="zh"`` labels in Chinese (shipped font).
        """
        import matplotlib.pyplot as plt

        from policydiffusion.report._fonts import figure_style

        zh = lang == "zh"
        with figure_style(lang):
            fig, ax = plt.subplots(figsize=(6.4, 4.0)) if ax is None else (ax.figure, ax)
            for policy, g in self.points.groupby("policy", sort=True):
                later = g[g["unit"] != self.table.set_index("policy").loc[policy, "reference"]]
                pts = ax.scatter(later["time"], later["similarity"], s=18, label=str(policy))
                row = self.table.set_index("policy").loc[policy]
                if np.isfinite(row["slope"]):
                    x = np.array([later["time"].min(), later["time"].max()])
                    ax.plot(x, row["intercept"] + row["slope"] * (x - row["start"]),
                            color=pts.get_facecolor()[0], lw=1)
            ax.set_xlabel("采纳时间" if zh else "adoption time")
            ref = {"first": ("最早文本", "first text"), "central": ("中心文本", "central text")}
            ax.set_ylabel(("与" + ref[self.reference][0] + "的相似度") if zh else
                          f"similarity to the {ref[self.reference][1]}")
            ax.set_ylim(0, 1.02)
            ax.legend(frameon=False, fontsize=8)
            fig.tight_layout()
            if zh:  # name the font on every text, so the figure draws right outside this style
                import matplotlib
                from matplotlib.text import Text

                for text in fig.findobj(Text):
                    text.set_fontfamily(matplotlib.rcParams["font.sans-serif"])
        return fig


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
