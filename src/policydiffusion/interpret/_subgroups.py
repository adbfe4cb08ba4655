"""Subgroup (heterogeneity) fits and a test that a key coefficient differs."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy.stats import chi2

from policydiffusion._format import fmt_num
from policydiffusion._warnings import warn
from policydiffusion.errors import InvalidOptionError, SeparationWarning, SubgroupTermsWarning
from policydiffusion.estimate import HazardResult, fit_hazard
from policydiffusion.estimate._data import as_source
from policydiffusion.estimate._design import parse_formula, rhs_variables
from policydiffusion.estimate._rank import covariance_rank
from policydiffusion.estimate._hazard import _with_fixed_effects, fit_columns
from policydiffusion.estimate._vcov import VcovSpec

__all__ = ["fit_subgroups", "SubgroupResult", "split_groups"]

POOLED = ("Wald test of equal coefficients in one pooled model (subgroup indicator "
          "interacted with every regressor), {vcov} variance: units appear in several "
          "subgroups")
INDEPENDENT = "Wald test of equal coefficients, independent subgroup estimates"


@dataclass(frozen=True)
class SubgroupResult:
    """Fits by subgroup and a Wald test that ``key`` is equal across subgroups.

    ``W = (C b)' (C V C')^-1 (C b)`` with ``C`` the successive differences, chi-squared
    with G - 1 df. When a cluster (or, for a dyadic variance, a unit on either side of a
    dyad) appears in more than one subgroup, the estimates are not independent: ``V``
    then comes from one pooled model in which the subgroup indicator interacts with every
    regressor (its coefficients are the subgroup estimates) with the same variance
    estimator (``test == "pooled"``, the model is ``pooled``). Otherwise ``V`` is
    block-diagonal of the subgroups' variances (``test == "independent"``; for two
    groups the square of ``z = (b1 - b2) / sqrt(se1^2 + se2^2)``). ``difference`` and
    ``difference_se`` are those of ``b2 - b1`` (two groups). If ``key`` is not estimable
    in a subgroup (separation, no convergence) no test is computed (``test == "none"``,
    ``not_tested`` says why); nor when the covariance of the differences is singular,
    as a clustered one is with fewer clusters than subgroups (``test == "singular"``:
    statistic and p-value NaN, ``not_tested`` gives the rank), or when ``key``'s
    standard error is not identified in a subgroup (nested in the clusters there, e.g.
    a dummy that is 1 in one cluster only: ``test == "not_identified"``).
    """

    by: str
    key: str
    results: Mapping[Any, HazardResult]
    statistic: float
    df: int
    p_value: float
    method: str = INDEPENDENT
    dropped: Mapping[Any, tuple[str, ...]] = field(default_factory=dict)
    """Per subgroup, the terms left out because a variable in them is constant there."""
    test: str = "independent"
    difference: float = float("nan")
    difference_se: float = float("nan")
    pooled: HazardResult | None = None
    shared_units: int = 0
    not_tested: str | None = None
    estimator: str = "ml"
    firth_reason: tuple[str, ...] = ()
    """Subgroups whose separation made every subgroup refit with Firth (``on_separation``)."""

    def tidy(self) -> pd.DataFrame:
        """One row per subgroup: the key coefficient's tidy row with its ``term`` (missing
        if not estimable) and, for each, the reason (``not_estimable``, empty when
        estimable); ready for :func:`~policydiffusion.report.effect_plots.plot_subgroup_estimates`."""
        rows = []
        for g, r in self.results.items():
            t = r.tidy().set_index("term").loc[self.key]
            rows.append({"term": self.key, "group": g, "nobs": r.nobs, **t.to_dict(),
                         "not_estimable": r.not_estimable.get(self.key, "")})
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        if self.not_tested:
            text = f"{self.key} by {self.by}: no test ({self.not_tested})"
        else:
            text = (f"{self.key} by {self.by}: chi2({self.df}) = {self.statistic:.4f}, "
                    f"p = {self.p_value:.4g} ({self.method})")
        if self.firth_reason:
            text += (f"; Firth's penalised likelihood in every subgroup (separation in "
                     f"{', '.join(map(repr, self.firth_reason))})")
        for g, terms in self.dropped.items():
            text += f"; in subgroup {g!r} left out (constant there): {', '.join(terms)}"
        return text


def split_groups(values: pd.Series, split: object) -> tuple[pd.Series, str, object]:
    """Subgroup label of each row, the i18n key describing the split, and its cut point.

    ``auto``: the values themselves when there are at most two, else above/below the
    median; ``median``; or a number (rows at or above it form the upper group).

    Examples
    --------
    >>> g, key, cut = split_groups(pd.Series([0.0, 5.0, 12.0]), 10)
    >>> g.tolist(), key, cut
    (['< 10', '< 10', '≥ 10'], 'split.threshold', 10.0)
    """
    present = values.dropna().unique()
    if split == "auto" and len(present) <= 2:
        return values.map(lambda x: None if pd.isna(x) else _text(x)), "split.values", None
    if split in ("auto", "median"):
        cut, key = float(np.median(values.dropna())), "split.median"
    else:
        cut, key = float(split), "split.threshold"  # type: ignore[arg-type]
    labels = values.map(lambda x: None if pd.isna(x) else
                        (f"≥ {_text(cut)}" if x >= cut else f"< {_text(cut)}"))
    return labels, key, cut


def _text(x: object) -> str:
    return fmt_num(x, 3, significant=True) if isinstance(x, (float, np.floating)) else str(x)


def fit_subgroups(data: Any, formula: str, *, by: str, key: str, split: object = None,
                  on_separation: str = "mark", **fit_options: Any) -> SubgroupResult:
    """Fit ``formula`` separately in each level of ``by`` and test ``key``'s equality.

    ``split`` cuts ``by`` into subgroups as a study file's ``[[heterogeneity]]`` does:
    ``"auto"`` (the column's values if it has two, otherwise above / below the median),
    ``"median"`` or a number (rows at or above it form the upper group); the default
    (``None``) takes each value of ``by`` as a subgroup. The subgroups are then labelled
    like ``"< 10"`` and ``"≥ 10"``.

    ``fit_options`` are passed to :func:`~policydiffusion.estimate.fit_hazard`
    (link, vcov, weights, ...). The data are collected in memory. With
    ``on_separation="firth"``, separation in any subgroup refits every subgroup with
    Firth's penalised likelihood (so the estimates compared are of one kind; the pooled
    Firth model then has the same estimates, its penalty being the sum of the
    subgroups'); with ``"mark"`` a separated subgroup's key is not estimable and no
    test is made.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=2000), "g": rng.integers(0, 2, 2000)})
    >>> df["y"] = (rng.random(2000) < 1 / (1 + np.exp(1 - (0.2 + df.g) * df.x))).astype(int)
    >>> sg = fit_subgroups(df, "y ~ x", by="g", key="x")
    >>> sg.df, sg.p_value < 0.01, sg.test
    (1, True, 'independent')
    >>> fit_subgroups(df.assign(z=df.g * 20), "y ~ x", by="z", key="x", split=10).tidy()["group"].tolist()
    ['< 10', '≥ 10']
    """
    formula = _with_fixed_effects(formula, fit_options.pop("fixed_effects", None))
    frame = as_source(data).collect(fit_columns(formula, fit_options, by))
    if split is not None:
        if not (split in ("auto", "median") or (isinstance(split, (int, float))
                                                  and not isinstance(split, bool))):
            raise InvalidOptionError(f"split must be 'auto', 'median' or a number; got "
                                     f"{split!r}.")
        frame = frame.assign(**{by: split_groups(frame[by], split)[0]})
    groups = [g.item() if hasattr(g, "item") else g for g in pd.unique(frame[by].dropna())]
    try:
        groups = sorted(groups)
    except TypeError:
        pass
    if len(groups) < 2:
        raise InvalidOptionError(f"{by!r} has fewer than two subgroups.")
    parts, formulas, dropped = {}, {}, {}
    for g in groups:
        parts[g] = frame[frame[by] == g].reset_index(drop=True)
        formulas[g], left_out = _without_constant_terms(formula, parts[g], key=key, group=g)
        if left_out:
            dropped[g] = left_out
            warn(SubgroupTermsWarning(
                f"subgroup {g!r} of {by!r}: left out {', '.join(left_out)} (a variable in them "
                "is constant in that subgroup, so they are not identified there).",
                group=g, by=by, terms=tuple(left_out)))
    mode = "mark" if on_separation == "firth" else on_separation
    # a subgroup without events (or without non-events) is separated outright: maximum
    # likelihood has no finite intercept there, Firth's penalised likelihood does
    response = formula.split("~", 1)[0].strip()
    constant = tuple(g for g in groups if on_separation == "firth"
                     and response in getattr(parts[g], "columns", ())
                     and parts[g][response].nunique(dropna=True) < 2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = {g: fit_hazard(parts[g], formulas[g], on_separation=mode, **fit_options)
                   for g in groups if g not in constant}
    separated = constant + tuple(g for g, r in results.items() if r.not_estimable and any(
        w.kind == "separation" for w in r.warnings))
    refit = bool(separated) and on_separation == "firth"
    for w in caught:  # of fits replaced by Firth's, only the reason (separation) is kept
        if not refit or isinstance(w.message, SeparationWarning):
            warn(w.message, w.category)
    if refit:
        fit_options = {**fit_options, "firth": True}
        results = {g: fit_hazard(parts[g], formulas[g], **fit_options) for g in groups}
    for g, r in results.items():
        if key not in r.params.index:
            raise InvalidOptionError(f"{key!r} is not a term of the model (subgroup {g!r}).")
    estimator = next(iter(results.values())).estimator
    common = dict(dropped=dropped, estimator=estimator,
                  firth_reason=separated if on_separation == "firth" else ())
    bad = {g: r.not_estimable[key] for g, r in results.items() if key in r.not_estimable}
    if bad:
        why = "; ".join(f"{key!r} not estimable in subgroup {g!r} ({w})" for g, w in bad.items())
        return SubgroupResult(by, key, results, float("nan"), len(groups) - 1, float("nan"),
                              method="not computed", test="none", not_tested=why, **common)
    nested = {g: r.se_not_identified[key] for g, r in results.items()
              if key in getattr(r, "se_not_identified", {})}
    if nested:  # the sandwich's number for it is no variance: neither is the pooled one's
        why = "; ".join(f"the standard error of {key!r} is not identified in subgroup {g!r} "
                        f"({w})" for g, w in nested.items())
        return SubgroupResult(by, key, results, float("nan"), len(groups) - 1, float("nan"),
                              method="not computed", test="not_identified", not_tested=why,
                              **common)
    spec = VcovSpec.parse(fit_options.get("vcov", "classical"))
    shared = _shared_units(parts, spec)
    b = np.array([r.params[key] for r in results.values()])
    if shared:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            pooled, names = _pooled_fit(parts, formulas, key, fit_options)
        for w in caught:  # its terms named for people: 'x [subgroup a]', not '_sg0:x'
            warn(_renamed(w.message, list(parts)), w.category)
        if any(n in pooled.not_estimable for n in names):
            return SubgroupResult(by, key, results, float("nan"), len(groups) - 1, float("nan"),
                                  method="not computed", test="none", pooled=pooled,
                                  shared_units=shared, not_tested="the pooled model's "
                                  f"{key!r} terms are not estimable", **common)
        V = pooled.cov.loc[names, names].to_numpy()
        method, test = POOLED.format(vcov=spec.kind), "pooled"
    else:
        pooled, method, test = None, INDEPENDENT, "independent"
        V = np.diag([r.cov.loc[key, key] for r in results.values()])
    G = len(b)
    C = np.zeros((G - 1, G))
    C[np.arange(G - 1), np.arange(G - 1)] = 1
    C[np.arange(G - 1), np.arange(1, G)] = -1
    d, CVC = C @ b, C @ V @ C.T
    diff = diff_se = float("nan")
    if G == 2:
        diff, diff_se = float(b[1] - b[0]), float(np.sqrt(V[0, 0] + V[1, 1] - 2 * V[0, 1]))
    # the rank with the tolerances of the effects' joint tests (numpy's matrix_rank counts
    # a 1e-12 eigenvalue as real, and solving through it prints noise as a chi-squared)
    _, _, real, ambiguous = covariance_rank(CVC, what=f"{G - 1} differences in {key!r}")
    rank = int(real.sum())
    if ambiguous or rank < G - 1:  # e.g. a cluster variance with fewer clusters than differences
        why = ambiguous or (f"the covariance of the {G - 1} differences in {key!r} is singular (rank "
                            f"{rank}{_clusters_note(pooled)}); no Wald test can be made")
        return SubgroupResult(by, key, results, float("nan"), G - 1, float("nan"),
                              method="not computed", test="singular", pooled=pooled,
                              shared_units=shared, not_tested=why, **common)
    stat = float(d @ np.linalg.solve(CVC, d))
    return SubgroupResult(by, key, results, stat, G - 1, float(chi2.sf(stat, G - 1)),
                          method=method, test=test, difference=diff, difference_se=diff_se,
                          pooled=pooled, shared_units=shared, **common)


def _clusters_note(pooled: HazardResult | None) -> str:
    """', 2 clusters' for a clustered pooled model: the usual reason for a singular test."""
    counts = getattr(pooled, "n_clusters", ()) or ()
    return "".join(f", {int(n)} clusters" for n in counts)


def _renamed(w: Warning, groups: list) -> Warning:
    """A warning of the pooled model with its indicator terms named by subgroup."""
    def name(t: str) -> str:
        head, _, rest = t.partition(":")
        if head.startswith("_sg") and head[3:].isdigit():
            g = groups[int(head[3:])]
            return f"{rest or 'Intercept'} [subgroup {g}]"
        return t

    fields = getattr(w, "fields", None)
    if not fields or "terms" not in fields:
        return w
    terms = [str(t) for t in fields["terms"]]
    message = str(w)
    for t in sorted(terms, key=len, reverse=True):
        message = message.replace(repr(t), repr(name(t)))
    return type(w)(message, **{**fields, "terms": tuple(name(t) for t in terms)})


def _shared_units(parts: Mapping[Any, pd.DataFrame], spec: VcovSpec) -> int:
    """How many clusters (dyadic: units on either side) appear in more than one subgroup."""
    if not spec.is_clustered:
        return 0
    if spec.kind == "dyadic":
        sets = [set(p[spec.columns[0]].dropna()) | set(p[spec.columns[1]].dropna())
                for p in parts.values()]
        return _n_shared(sets)
    return sum(_n_shared([set(p[c].dropna()) for p in parts.values()]) for c in spec.columns)


def _n_shared(sets: list[set]) -> int:
    seen: dict[Any, int] = {}
    for s in sets:
        for v in s:
            seen[v] = seen.get(v, 0) + 1
    return sum(1 for n in seen.values() if n > 1)


def _pooled_fit(parts: Mapping[Any, pd.DataFrame], formulas: Mapping[Any, str], key: str,
                fit_options: Mapping[str, Any]) -> tuple[HazardResult, list[str]]:
    """The fully interacted pooled model and the names of ``key`` in each subgroup.

    Each subgroup's indicator ``_sg<i>`` multiplies every term of its (own) formula, so
    the pooled log-likelihood is the sum of the subgroups' and its estimates are theirs;
    only the variance differs, its meat summing scores of all subgroups by cluster.
    """
    from formulaic import Formula

    response = parse_formula(next(iter(formulas.values())))[0]
    frames, rhs, names = [], [], []
    for i, (g, part) in enumerate(parts.items()):
        ind = f"_sg{i}"
        terms = [str(t) for t in Formula(parse_formula(formulas[g])[1])]
        rhs += [ind if t == "1" else f"{ind}:{t}" for t in terms]
        names.append(f"{ind}:{key}")
        frames.append(part.assign(**{f"_sg{j}": float(j == i) for j in range(len(parts))}))
    pooled = pd.concat(frames, ignore_index=True)
    opts = {k: v for k, v in fit_options.items() if k != "firth_inference"}
    if opts.get("firth"):
        opts["firth_inference"] = "wald"  # only the covariance is used
    res = fit_hazard(pooled, f"{response} ~ 0 + " + " + ".join(rhs), **opts)
    missing = [n for n in names if n not in res.params.index]
    if missing:  # pragma: no cover - formulaic keeps the order it was given
        raise InvalidOptionError(f"pooled subgroup model: no term {missing}.")
    return res, names


def _without_constant_terms(formula: str, part: pd.DataFrame, *, key: str, group: Any
                            ) -> tuple[str, tuple[str, ...]]:
    """``formula`` without the terms that use a variable constant in ``part``.

    Within a subgroup a moderator or control can be constant (e.g. no dyad with a large
    performance gap lies in the same agglomeration); its terms are then not identified
    there and are left out of that subgroup's fit, and reported. The key term must vary.
    """
    from formulaic import Formula

    response, rhs = parse_formula(formula)
    variables = [v for v in rhs_variables(rhs) if v in part.columns]
    complete = part.dropna(subset=[response, *variables])
    constant = {v for v in variables if complete[v].nunique(dropna=True) <= 1}
    if not constant:
        return formula, ()
    kept, left_out = [], []
    for term in Formula(rhs):
        name = str(term)
        if name == "1":
            continue
        uses = [str(f.expr) for f in term.factors]  # 'z', or 'C(region)' for variable region
        if any(u == v or f"({v})" in u or f"({v}," in u for u in uses for v in constant):
            left_out.append(name)
        else:
            kept.append(name)
    if key in left_out:
        raise InvalidOptionError(
            f"{key!r} does not vary in subgroup {group!r}, so its effect cannot be estimated "
            "there; choose another split or key.")
    return f"{response} ~ " + " + ".join(kept or ["1"]), tuple(left_out)
