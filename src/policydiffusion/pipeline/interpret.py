"""Step 5: marginal effects across moderators, and heterogeneity across subgroups."""

from __future__ import annotations

import re
import warnings
from typing import Callable

import numpy as np
import pandas as pd

from policydiffusion.errors import PolicyDiffusionError, StudyFileError
from policydiffusion.interpret._subgroups import split_groups
from policydiffusion.pipeline.models import caught_warnings
from policydiffusion.pipeline.state import HeterogeneityOutput, ModerationOutput, RunState

__all__ = ["moderation_step", "heterogeneity_step", "split_groups", "without_term"]


def _fits_of(state: RunState, model: str) -> list:
    return [m for m in state.models if m.spec.name == model]


def moderation_step(state: RunState, *, tick: Callable[[str], None] | None = None
                    ) -> tuple[ModerationOutput, ...]:
    """The effect of each ``[[moderation]]`` variable across its moderator's observed range."""
    if not state.sf.moderation:
        return ()
    from policydiffusion.interpret import marginal_effect_across

    out = []
    for i, spec in enumerate(state.sf.moderation):
        for m in _fits_of(state, spec.model):
            if getattr(m.result, "not_estimable", None):
                continue  # no effect is drawn from coefficients that are not estimable
            if tick is not None:
                tick(f"marginal effect {m.key}")
            data = m.built.riskset.data  # type: ignore[attr-defined]
            scale = "response" if spec.scale == "probability" else "link"
            try:
                frame = marginal_effect_across(m.result, data, variable=spec.variable,
                                               moderator=spec.moderator, scale=scale,
                                               n_values=spec.points)
            except PolicyDiffusionError as exc:
                raise StudyFileError(f"{state.sf.where(('moderation', i))}: {exc}") from None
            # the moderator's values as the effects' own pass over the sample saw them
            seen = frame.attrs["observed"]
            observed = tuple(np.repeat(seen.values, seen.counts).tolist())
            out.append(ModerationOutput(key=m.key, model=spec.model, variable=spec.variable,
                                        moderator=spec.moderator, frame=frame, spec=spec,
                                        observed=observed))
    return tuple(out)


def without_term(formula: str, term: str) -> str:
    """``formula`` with the main-effect ``term`` removed from its right-hand side.

    Examples
    --------
    >>> without_term("adopt ~ visits + same + duration", "same")
    'adopt ~ visits + duration'
    """
    lhs, rhs = formula.split("~", 1)
    parts = [p.strip() for p in rhs.split("+")]
    return f"{lhs.strip()} ~ " + " + ".join(p for p in parts if p != term)


def _first_term(formula: str) -> str:
    rhs = formula.split("~", 1)[1]
    return re.split(r"[+*:]", rhs)[0].strip()


def heterogeneity_step(state: RunState, *, tick: Callable[[str], None] | None = None
                       ) -> tuple[HeterogeneityOutput, ...]:
    """Refit each ``[[heterogeneity]]`` model in the subgroups of ``by`` and compare."""
    if not state.sf.heterogeneity:
        return ()
    from policydiffusion.interpret import fit_subgroups

    out = []
    for i, spec in enumerate(state.sf.heterogeneity):
        for m in _fits_of(state, spec.model):
            if tick is not None:
                tick(f"subgroups {m.key} by {spec.by}")
            data = m.built.riskset.data.to_pandas()  # type: ignore[attr-defined]
            if spec.by not in data.columns:
                raise StudyFileError(
                    f"{state.sf.where(('heterogeneity', i, 'by'))}: no column {spec.by!r} in risk "
                    f"set {m.built.key!r}; columns: {', '.join(data.columns)}")
            groups, key, cut = split_groups(data[spec.by], spec.split)
            data = data.assign(_subgroup=groups)
            formula = m.spec.formula
            if key == "split.values":  # constant within each subgroup: leave it out
                formula = without_term(formula, spec.by)
            rows, caught = [], []
            for term in spec.terms or (_first_term(m.spec.formula),):
                with warnings.catch_warnings(record=True) as w:
                    warnings.simplefilter("always")
                    try:
                        sg = fit_subgroups(data, formula, by="_subgroup", key=term,
                                           link=m.spec.link, vcov=m.spec.vcov, firth=m.spec.firth,
                                           on_separation=spec.on_separation or m.spec.on_separation)
                    except PolicyDiffusionError as exc:
                        raise StudyFileError(f"{state.sf.where(('heterogeneity', i))}: {exc}") from None
                caught += caught_warnings(w)
                t = sg.tidy()
                rows.append(pd.DataFrame({
                    "term": term, "group": t["group"].astype(str), "nobs": t["nobs"],
                    "estimate": t["estimate"], "std_error": t["std_error"],
                    "p_value": t["p_value"], "difference_p": sg.p_value,
                    "not_estimable": t["not_estimable"], "estimator": sg.estimator,
                    "test": sg.test, "difference": sg.difference,
                    "firth_refit": ", ".join(map(str, sg.firth_reason)),
                    "difference_se": sg.difference_se}))
            out.append(HeterogeneityOutput(
                key=m.key, model=spec.model, by=spec.by, split_key=key,
                split_value=cut, frame=pd.concat(rows, ignore_index=True), spec=spec,
                warnings=tuple(dict.fromkeys(caught))))
    return tuple(out)
