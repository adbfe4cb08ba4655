"""Step 4: fit every model to its risk set(s)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Callable

from policydiffusion.errors import PolicyDiffusionError, StudyFileError
from policydiffusion.pipeline.risksets import BuiltRiskSet
from policydiffusion.studyfile import ModelSection, StudyFile

__all__ = ["FittedModel", "FitWarning", "fit_models", "model_key", "caught_warnings"]


class FitWarning(str):
    """A warning's message (a ``str``, as written to run.json) that keeps its category's
    name and its fields, so the report can say it in its own language.

    Examples
    --------
    >>> w = FitWarning("did not converge", "ConvergenceWarning", {"iterations": 50})
    >>> w == "did not converge", w.category, w.fields["iterations"]
    (True, 'ConvergenceWarning', 50)
    """

    category: str
    fields: dict

    def __new__(cls, message: str, category: str = "UserWarning",
                fields: dict | None = None) -> "FitWarning":
        obj = super().__new__(cls, message)
        obj.category = category
        obj.fields = dict(fields or {})
        return obj


def caught_warnings(caught: list) -> tuple[FitWarning, ...]:
    """Distinct warnings recorded by ``warnings.catch_warnings(record=True)``, in order
    (deprecation warnings of libraries left out), with their fields."""
    out = [FitWarning(str(w.message), w.category.__name__, getattr(w.message, "fields", None))
           for w in caught if not issubclass(w.category, DeprecationWarning)]
    return tuple(dict.fromkeys(out))


@dataclass(frozen=True)
class FittedModel:
    """One model fitted to one risk set; ``key`` names it in results.json and tables."""

    key: str
    spec: ModelSection
    built: BuiltRiskSet
    result: object  # policydiffusion.estimate.HazardResult
    warnings: tuple[FitWarning, ...] = field(default=())


def model_key(model: str, built: BuiltRiskSet, per_policy: bool) -> str:
    """``model`` alone, or ``model@policy`` when the risk set has one fit per policy."""
    return f"{model}@{built.policy}" if per_policy and built.policy is not None else model


def fit_models(sf: StudyFile, built: list[BuiltRiskSet], *,
               tick: Callable[[str], None] | None = None) -> list[FittedModel]:
    """Fit each ``[[model]]`` to each risk set it names (one per policy for per-policy designs)."""
    from policydiffusion.estimate import fit_hazard

    out = []
    for i, m in enumerate(sf.models):
        targets = [b for b in built if b.spec.name == m.riskset]
        per_policy = len(targets) > 1
        for b in targets:
            key = model_key(m.name, b, per_policy)
            if tick is not None:
                tick(f"model {key}")
            # the risk set itself, not its rows: its build goes into provenance["riskset"]
            # as on either engine, and one built on Dask is fitted where its partitions are
            data = b.as_built
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    res = fit_hazard(data, m.formula, link=m.link, vcov=m.vcov, firth=m.firth,
                                     on_separation=m.on_separation,
                                     engine=sf.engine.kind, scheduler=sf.engine.scheduler)
                except PolicyDiffusionError as exc:
                    cols = "" if "columns" in str(exc) else \
                        f"; columns of the risk set: {', '.join(data.columns)}"
                    raise StudyFileError(f"{sf.where(('model', i, 'formula'))}: model {key!r} on "
                                         f"risk set {b.key!r}: {exc}{cols}") from None
            out.append(FittedModel(key=key, spec=m, built=b, result=res,
                                   warnings=caught_warnings(caught)))
    return out
