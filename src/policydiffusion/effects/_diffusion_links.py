"""Effects meet diffusion: who adopted when, and after whom, as effect moderators.

Each moderator enters ONE pooled regression as an interaction with the event-time
bins, so differences between adopter groups carry their proper (clustered)
covariance instead of being read off separate fits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from policydiffusion.effects._design import (adoption_columns, as_pandas, event_time_indicators,
                                             normalise_bins, period_numbers)
from policydiffusion.effects._event_study import (EventStudyResult, estimation_rows, fit_fixest,
                                                  no_test_reasons, single_cluster_terms, wald_f)
from policydiffusion.errors import InvalidOptionError, Problem, StudyDataError

__all__ = ["adoption_order", "neighbour_adoption_share", "effect_heterogeneity", "HeterogeneityResult"]


def adoption_order(adoptions: pd.DataFrame, *, unit: str = "unit", time: str = "time",
                   ddof: int = 1) -> pd.DataFrame:
    """Rogers' adopter category of each adoption (policy, unit, category, z), by policy.

    Uses :func:`policydiffusion.curves.adopter_categories` on the adoption times
    (days for dates), among the adopters only.

    Examples
    --------
    >>> a = pd.DataFrame({"policy": "p", "unit": list("ABCDEF"), "t": [1, 5, 5, 6, 6, 9]})
    >>> adoption_order(a, time="t")["category"].tolist()
    ['early adopters', 'early majority', 'early majority', 'late majority', 'late majority', 'laggards']
    """
    from policydiffusion.curves import adopter_categories

    a = as_pandas(adoptions, "adoptions")
    ucol, tcol = adoption_columns(a, unit, time)
    first = a.groupby(["policy", ucol], as_index=False)[tcol].min()
    frames = []
    for p, d in first.groupby("policy", sort=False):
        x = pd.DataFrame({"policy": p, "unit": d[ucol].astype(str).to_numpy(),
                          "period": period_numbers(d[tcol]).to_numpy()})
        c = adopter_categories(x, units=len(x))
        frames.append(pd.DataFrame({"policy": p, ucol: d[ucol].to_numpy(),
                                    "category": c["category"].to_numpy(), "z": c["z"].to_numpy()}))
    return pd.concat(frames, ignore_index=True)


def neighbour_adoption_share(adoptions: pd.DataFrame, edges: pd.DataFrame, *, unit: str = "unit",
                             time: str = "time", source: str = "source",
                             target: str = "target") -> pd.DataFrame:
    """Share of each adopter's neighbours that had adopted strictly before it.

    ``edges`` lists ``source -> target`` pairs (the target is the source's
    neighbour). A high share marks emulation-type adoption, a zero share independent
    adoption. Adopters without neighbours get NaN (``n_neighbours`` 0).

    Examples
    --------
    >>> a = pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"], "t": [1, 2, 2]})
    >>> e = pd.DataFrame({"source": ["B", "B", "C"], "target": ["A", "C", "B"]})
    >>> neighbour_adoption_share(a, e, time="t")[["unit", "share"]].values.tolist()
    [['A', nan], ['B', 0.5], ['C', 0.0]]
    """
    a = as_pandas(adoptions, "adoptions")
    ucol, tcol = adoption_columns(a, unit, time)
    first = a.groupby(["policy", ucol], as_index=False)[tcol].min()
    e = as_pandas(edges, "edges")[[source, target]].drop_duplicates()
    rows = []
    for p, d in first.groupby("policy", sort=False):
        when = dict(zip(d[ucol], d[tcol]))
        for u, t in zip(d[ucol], d[tcol]):
            nb = e.loc[e[source] == u, target]
            n = len(nb)
            before = sum(1 for v in nb if v in when and when[v] < t)
            rows.append((p, u, n, before, before / n if n else np.nan))
    return pd.DataFrame(rows, columns=["policy", ucol, "n_neighbours", "n_adopted_before", "share"])


@dataclass(frozen=True)
class HeterogeneityResult:
    """A pooled event study with the moderated policy's bins interacted.

    ``fit`` holds every coefficient and their joint covariance. For a categorical
    moderator :meth:`tidy` gives each group's effect per bin and its difference from
    ``reference`` (SE from the pooled covariance); for a numeric one, the effect at
    moderator 0 and the slope per unit of the moderator. :meth:`test` is the joint
    Wald test of no heterogeneity (all differences or slopes zero).
    """

    fit: EventStudyResult
    policy: str
    kind: str  # "categorical" or "numeric"
    levels: tuple[str, ...]
    reference: str | None
    base_terms: tuple[str, ...]
    n_adopters: dict

    def _cols(self, base: str, level: str) -> str:
        return f"{base}__{level}"

    def _restrictions(self) -> tuple[list[str], list[dict[str, float]]]:
        labels, combos = [], []
        for b in self.base_terms:
            if self.kind == "numeric":
                labels.append(f"{b}: slope")
                combos.append({self._cols(b, "slope"): 1.0})
            else:
                for lv in self.levels:
                    if lv != self.reference:
                        labels.append(f"{b}: {lv} - {self.reference}")
                        combos.append({self._cols(b, lv): 1.0, self._cols(b, self.reference): -1.0})
        return labels, combos

    def tidy(self) -> pd.DataFrame:
        """term, group (or ``at 0``/``slope``), estimate, std_error, p_value, and for
        categorical moderators ``difference``/``difference_se``/``difference_p`` vs reference."""
        rows = []
        df = self.fit.df_resid
        for b in self.base_terms:
            groups = ["at 0", "slope"] if self.kind == "numeric" else list(self.levels)
            for lv in groups:
                col = self._cols(b, "base" if lv == "at 0" else lv)
                est, se = self.fit.lincom({col: 1.0})
                row = {"term": b, "group": lv, "estimate": est, "std_error": se,
                       "p_value": (np.nan if no_test_reasons([se])[0]
                                   else 2 * stats.t.sf(abs(est / se), df))}
                if self.kind == "categorical":
                    if lv == self.reference:
                        d, dse = 0.0, 0.0
                    else:
                        d, dse = self.fit.lincom({col: 1.0, self._cols(b, self.reference): -1.0})
                    row.update(difference=d, difference_se=dse,
                               difference_p=(2 * stats.t.sf(abs(d / dse), df) if dse > 0 else np.nan))
                    row["n_adopters"] = self.n_adopters.get(lv, 0)
                rows.append(row)
        return pd.DataFrame(rows)

    def test(self) -> dict[str, float]:
        """Joint Wald F test that the moderator changes no bin's effect."""
        labels, combos = self._restrictions()
        names = list(self.fit.coef.index)
        R = np.zeros((len(combos), len(names)))
        for i, c in enumerate(combos):
            for k, w in c.items():
                R[i, names.index(k)] = w
        untestable = self.fit.untestable((k for c in combos for k in c), df_num=len(combos))
        if untestable is not None:
            return untestable
        return wald_f(R @ self.fit.coef.to_numpy(), R @ self.fit.vcov.to_numpy() @ R.T,
                      self.fit.df_resid)


def effect_heterogeneity(panel: pd.DataFrame, adoptions: pd.DataFrame, *, outcome: str, unit: str,
                         time: str, bins: Iterable[int | Sequence[int]], policy: str,
                         moderator: pd.DataFrame, column: str, reference: str | None = None,
                         controls: Sequence[str] = (), absorb: Sequence[str] | None = None,
                         cluster: str | None = None) -> HeterogeneityResult:
    """Event study with ``policy``'s bins interacted with an adopter-level moderator.

    ``moderator`` has one row per adopter of ``policy`` (columns ``unit`` or the
    panel's unit name, and ``column``), e.g. from :func:`adoption_order` (column
    ``category``) or :func:`neighbour_adoption_share` (column ``share``). A
    categorical moderator gives each group its own bins (reference group:
    ``reference``, default the first level); a numeric one adds ``bin x moderator``
    terms to the bins. Other policies in ``adoptions`` enter with plain bins, as in
    :func:`event_study`, all in one regression. Rows of adopters with no moderator
    value are left out and counted in ``fit.exclusions``.

    Examples
    --------
    >>> rng = np.random.default_rng(2)
    >>> p = pd.DataFrame({"unit": np.repeat(range(40), 8), "t": np.tile(range(8), 40)})
    >>> a = pd.DataFrame({"policy": "x", "unit": range(30), "t": rng.integers(2, 6, 30)})
    >>> grp = pd.DataFrame({"unit": range(30), "g": ["early"] * 15 + ["late"] * 15})
    >>> k = p["t"] - p["unit"].map(dict(zip(a["unit"], a["t"])))
    >>> p["y"] = np.where(k >= 0, np.where(p["unit"] < 15, 2.0, 1.0), 0.0) + rng.normal(0, .1, len(p))
    >>> h = effect_heterogeneity(p, a, outcome="y", unit="unit", time="t", bins=[(0, 9)], policy="x",
    ...                          moderator=grp, column="g", absorb=("unit", "t"), cluster="unit")
    >>> h.tidy()[["group", "estimate", "difference"]].round(1).values.tolist()
    [['early', 2.0, 0.0], ['late', 1.0, -1.0]]
    """
    panel = as_pandas(panel, "panel").reset_index(drop=True)
    adoptions = as_pandas(adoptions, "adoptions")
    absorb = tuple((unit,) if absorb is None else absorb)
    bins = normalise_bins(bins)
    mod = as_pandas(moderator, "moderator")
    mcol = unit if unit in mod.columns else "unit"
    if "policy" in mod.columns:
        mod = mod[mod["policy"] == policy]
    if column not in mod.columns or mcol not in mod.columns:
        raise StudyDataError([Problem("moderator", None, c, None, "column not found")
                              for c in (column, mcol) if c not in mod.columns])
    if mod[mcol].duplicated().any():
        raise StudyDataError([Problem("moderator", int(i), mcol, mod.at[i, mcol],
                                      "second value for this unit") for i in mod.index[mod[mcol].duplicated()]])
    value = panel[unit].map(dict(zip(mod[mcol], mod[column])))
    x = event_time_indicators(panel, adoptions, unit=unit, time=time, bins=bins)
    base = [c for c in x.columns if c.startswith(f"{policy}_")]
    if not base:
        raise InvalidOptionError(f"policy {policy!r} not in the adoptions.")
    adopters = set(adoptions.loc[adoptions["policy"] == policy, adoption_columns(adoptions, unit, time)[0]])
    numeric = pd.api.types.is_numeric_dtype(mod[column])
    no_value = panel[unit].isin(adopters) & value.isna()
    data = pd.concat([panel, x.drop(columns=base)], axis=1)
    others = [c for c in x.columns if c not in base]
    inter = []
    if numeric:
        levels, ref = ("slope",), None
        v = value.fillna(0.0).to_numpy(dtype=float)
        for b in base:
            data[f"{b}__base"] = x[b].to_numpy()
            data[f"{b}__slope"] = x[b].to_numpy() * v
            inter += [f"{b}__base", f"{b}__slope"]
    else:
        present = set(mod[column].dropna().astype(str))
        order = (mod[column].cat.categories if isinstance(mod[column].dtype, pd.CategoricalDtype)
                 else pd.unique(mod[column].dropna()))
        levels = tuple(str(v) for v in order if str(v) in present)
        ref = levels[0] if reference is None else str(reference)
        if ref not in levels:
            raise InvalidOptionError(f"reference {reference!r} is not a level of {column!r}: {levels}.")
        for b in base:
            for lv in levels:
                data[f"{b}__{lv}"] = x[b].to_numpy() * (value.astype(str) == lv).to_numpy()
                inter.append(f"{b}__{lv}")
    keep, exclusions = estimation_rows(data, outcome, controls)
    exclusions["adopter without a moderator value"] = int((keep & no_value).sum())
    keep &= ~no_value
    data = data[keep]
    coef, vc, n, n_cl, df_t, n_single = fit_fixest(data, outcome=outcome,
                                                   regressors=inter + others + list(controls),
                                                   absorb=absorb, cluster=cluster)
    exclusions["singleton fixed-effect group"] = n_single
    fit = EventStudyResult(coef, vc, tuple(inter + others), n, n_cl, df_t,
                           {k: v for k, v in exclusions.items() if v}, outcome, bins,
                           tuple(str(p) for p in pd.unique(adoptions["policy"])),
                           {"unit": unit, "time": time, "absorb": absorb, "cluster": cluster,
                            "controls": tuple(controls), "moderator": column},
                           single_cluster_terms(data, inter + others + list(controls), cluster))
    counts = {} if numeric else {str(k): int(v) for k, v in mod[column].astype(str).value_counts().items()}
    return HeterogeneityResult(fit, policy, "numeric" if numeric else "categorical", levels, ref,
                               tuple(base), counts)
