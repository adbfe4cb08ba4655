"""Step 5: marginal effects across moderators, and heterogeneity across subgroups."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from policydiffusion.errors import PolicyDiffusionError, StudyFileError
from policydiffusion.pipeline.state import HeterogeneityOutput, ModerationOutput, RunState

__all__ = ["moderation_step", "heterogeneity_step"]


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
            if tick is not None:
                tick(f"marginal effect {m.key}")
            data = m.built.riskset.data.to_pandas()  # type: ignore[attr-defined]
            try:
                me = marginal_effect_across(m.result, data, variable=spec.variable,
                                            moderator=spec.moderator, scale=spec.scale)
            except PolicyDiffusionError as exc:
                raise StudyFileError(f"{state.sf.where(('moderation', i))}: {exc}") from None
            frame = me.tidy() if hasattr(me, "tidy") else pd.DataFrame(me)
            out.append(ModerationOutput(key=m.key, model=spec.model, variable=spec.variable,
                                        moderator=spec.moderator, frame=frame, spec=spec))
    return tuple(out)


def _split(values: pd.Series, split: object) -> tuple[pd.Series, str, object]:
    """Group labels for each row, the i18n key describing the split, and its value."""
    v = values.dropna().unique()
    if split == "auto" and len(v) <= 2:
        return values.map(lambda x: None if pd.isna(x) else _text(x)), "split.values", None
    cut = float(np.median(values.dropna())) if split in ("auto", "median") else float(split)  # type: ignore[arg-type]
    key = "split.median" if split in ("auto", "median") else "split.threshold"
    labels = values.map(lambda x: None if pd.isna(x) else
                        (f"≥ {_text(cut)}" if x >= cut else f"< {_text(cut)}"))
    return labels, key, cut


def _text(x: object) -> str:
    if isinstance(x, (float, np.floating)) and float(x).is_integer():
        return str(int(x))
    return str(x)


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
            groups, key, value = _split(data[spec.by], spec.split)
            data = data.assign(_subgroup=groups)
            try:
                res = fit_subgroups(data, m.spec.formula, by="_subgroup", link=m.spec.link,
                                    vcov=m.spec.vcov)
            except PolicyDiffusionError as exc:
                raise StudyFileError(f"{state.sf.where(('heterogeneity', i))}: {exc}") from None
            frame = res.tidy() if hasattr(res, "tidy") else pd.DataFrame(res)
            if spec.terms:
                frame = frame[frame["term"].isin(spec.terms)]
            else:
                frame = frame[~frame["term"].isin(["Intercept"])]
            out.append(HeterogeneityOutput(
                key=m.key, model=spec.model, by=spec.by, split=key, split_key=key,
                split_value=value, frame=frame.reset_index(drop=True), spec=spec))
    return tuple(out)
