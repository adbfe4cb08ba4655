"""Which terms of a fit the estimator cannot stand behind, and what to do about them.

Here, beside the reasons :mod:`~policydiffusion.estimate._hazard` records, so that every
later stage (interpret, simulate) can name them without importing another's module.
"""

from __future__ import annotations

from typing import Mapping

from policydiffusion.estimate._hazard import IN_SEPARATED_FIT, SEPARATED

__all__ = ["not_estimable_terms", "refit_remedy"]


def not_estimable_terms(fit) -> str | None:
    """The terms of ``fit`` the estimator cannot stand behind (no convergence,
    separation), each with why, or None when there are none: such a fit's
    likelihood and predictions are where the iterations stopped, not a maximum.
    ``fit`` is a result or its ``not_estimable`` mapping (as a fit's JSON holds it).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> not_estimable_terms(SimpleNamespace(not_estimable={"x": "separated"}))
    'x (separated)'
    >>> not_estimable_terms(SimpleNamespace(not_estimable={})) is None
    True
    >>> not_estimable_terms({"x": "separated", "z": "no convergence"})
    'x (separated), z (no convergence)'
    """
    bad = fit if isinstance(fit, Mapping) else getattr(fit, "not_estimable", None)
    return ", ".join(f"{t} ({why})" for t, why in bad.items()) if bad else None


def refit_remedy(not_estimable: Mapping[str, str]) -> str:
    """What to do about a fit with terms that are not estimable: Firth's penalised
    likelihood where the data are separated, else iterations that converge.

    Examples
    --------
    >>> refit_remedy({"x": "(quasi-)complete separation"})
    "Refit with on_separation='firth' (or firth=True)."
    """
    if any(why in (SEPARATED, IN_SEPARATED_FIT) for why in not_estimable.values()):
        return "Refit with on_separation='firth' (or firth=True)."
    return "Refit until it converges (more iterations, rescaled covariates)."
