"""Subgroup (heterogeneity) fits and a test that a key coefficient differs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np
import pandas as pd
from scipy.stats import chi2

from policydiffusion._warnings import warn
from policydiffusion.errors import InvalidOptionError, PolicyDiffusionWarning
from policydiffusion.estimate import HazardResult, fit_hazard
from policydiffusion.estimate._data import as_source
from policydiffusion.estimate._design import parse_formula, rhs_variables
from policydiffusion.estimate._hazard import fit_columns

__all__ = ["fit_subgroups", "SubgroupResult"]


@dataclass(frozen=True)
class SubgroupResult:
    """Fits by subgroup and a Wald test that ``key`` is equal across subgroups.

    The test treats the subgroup estimates as independent (disjoint samples):
    ``W = (C b)' (C V C')^-1 (C b)`` with ``C`` the successive differences and ``V``
    block-diagonal of the subgroups' variances; chi-squared with G - 1 df. For two
    groups it is the square of ``z = (b1 - b2) / sqrt(se1^2 + se2^2)``. If clusters
    span subgroups, fit a pooled model with ``key * C(by)`` instead.
    """

    by: str
    key: str
    results: Mapping[Any, HazardResult]
    statistic: float
    df: int
    p_value: float
    method: str = "Wald test of equal coefficients, independent subgroup estimates"
    dropped: Mapping[Any, tuple[str, ...]] = field(default_factory=dict)
    """Per subgroup, the terms left out because a variable in them is constant there."""

    def tidy(self) -> pd.DataFrame:
        """One row per subgroup: the key coefficient's tidy row."""
        rows = []
        for g, r in self.results.items():
            t = r.tidy().set_index("term").loc[self.key]
            rows.append({"group": g, "nobs": r.nobs, **t.to_dict()})
        return pd.DataFrame(rows)

    def __str__(self) -> str:
        text = (f"{self.key} by {self.by}: chi2({self.df}) = {self.statistic:.4f}, "
                f"p = {self.p_value:.4g} ({self.method})")
        for g, terms in self.dropped.items():
            text += f"; in subgroup {g!r} left out (constant there): {', '.join(terms)}"
        return text


def fit_subgroups(data: Any, formula: str, *, by: str, key: str,
                  **fit_options: Any) -> SubgroupResult:
    """Fit ``formula`` separately in each level of ``by`` and test ``key``'s equality.

    ``fit_options`` are passed to :func:`~policydiffusion.estimate.fit_hazard`
    (link, vcov, weights, ...). The data are collected in memory.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=2000), "g": rng.integers(0, 2, 2000)})
    >>> df["y"] = (rng.random(2000) < 1 / (1 + np.exp(1 - (0.2 + df.g) * df.x))).astype(int)
    >>> sg = fit_subgroups(df, "y ~ x", by="g", key="x")
    >>> sg.df, sg.p_value < 0.01
    (1, True)
    """
    frame = as_source(data).collect(fit_columns(formula, fit_options, by))
    groups = [g.item() if hasattr(g, "item") else g for g in pd.unique(frame[by].dropna())]
    try:
        groups = sorted(groups)
    except TypeError:
        pass
    if len(groups) < 2:
        raise InvalidOptionError(f"{by!r} has fewer than two subgroups.")
    results, dropped = {}, {}
    for g in groups:
        part = frame[frame[by] == g].reset_index(drop=True)
        f_g, left_out = _without_constant_terms(formula, part, key=key, group=g)
        if left_out:
            dropped[g] = left_out
            warn(f"subgroup {g!r} of {by!r}: left out {', '.join(left_out)} (a variable in them "
                 "is constant in that subgroup, so they are not identified there).",
                 PolicyDiffusionWarning)
        results[g] = fit_hazard(part, f_g, **fit_options)
    for g, r in results.items():
        if key not in r.params.index:
            raise InvalidOptionError(f"{key!r} is not a term of the model (subgroup {g!r}).")
    b = np.array([r.params[key] for r in results.values()])
    v = np.array([r.cov.loc[key, key] for r in results.values()])
    G = len(b)
    C = np.zeros((G - 1, G))
    C[np.arange(G - 1), np.arange(G - 1)] = 1
    C[np.arange(G - 1), np.arange(1, G)] = -1
    d = C @ b
    stat = float(d @ np.linalg.solve(C @ np.diag(v) @ C.T, d))
    return SubgroupResult(by, key, results, stat, G - 1, float(chi2.sf(stat, G - 1)),
                          dropped=dropped)


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
