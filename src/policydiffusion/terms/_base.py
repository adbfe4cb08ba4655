"""The Term value object every diffusion-term builder returns."""

from __future__ import annotations

import functools
import inspect
import warnings
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Callable, ClassVar

import polars as pl

from policydiffusion.errors import DeprecatedSpellingWarning, InvalidOptionError

if TYPE_CHECKING:
    import numpy as np

    from policydiffusion.riskset._context import BuildContext
    from policydiffusion.terms._simulation import SimulationContext

__all__ = ["Term", "check_lag", "lag_text", "renamable"]


def check_lag(lag: object, *, name: str = "lag") -> int:
    """``lag`` as a non-negative integer, or an :class:`InvalidOptionError`."""
    if isinstance(lag, bool) or not isinstance(lag, int) or lag < 0:
        raise InvalidOptionError(f"{name} must be a whole number >= 0 (1 = information up to "
                                 f"t-1); got {lag!r}.")
    return lag


def _renamed(term: "Term", name: object) -> "Term":
    if not isinstance(name, str) or not name.strip():
        raise InvalidOptionError(f"name needs a non-empty column name; got {name!r}.")
    return replace(term, name=name)


def renamable(builder: Callable[..., "Term"]) -> Callable[..., "Term"]:
    """``builder`` with a keyword-only ``name=`` that renames the term's column.

    One spelling for renaming a term: ``name=`` in Python, ``name=`` in the command
    line's term grammar and ``name = "..."`` in a study file.

    Examples
    --------
    >>> from policydiffusion.terms import national_share
    >>> national_share(name="natl").name
    'natl'
    """
    @functools.wraps(builder)
    def build(*args: Any, name: str | None = None, **kwargs: Any) -> "Term":
        term = builder(*args, **kwargs)
        return term if name is None else _renamed(term, name)

    sig = inspect.signature(builder)
    params = [p for p in sig.parameters.values() if p.kind is not p.VAR_KEYWORD]
    params.append(inspect.Parameter("name", inspect.Parameter.KEYWORD_ONLY, default=None,
                                    annotation="str | None"))
    params += [p for p in sig.parameters.values() if p.kind is p.VAR_KEYWORD]
    build.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    return build


def lag_text(lag: int) -> str:
    """``'t'`` or ``'t-1'``: the last period whose information a term uses."""
    return "t" if lag == 0 else f"t-{lag}"


@dataclass(frozen=True, kw_only=True)
class Term:
    """A named, lagged diffusion term: a description of a column, not the column.

    Builders such as :func:`~policydiffusion.terms.neighbors_adopted` return a Term;
    the risk-set builders turn the terms into one lazy plan. A Term is frozen:
    ``alias`` returns a renamed copy.

    Attributes
    ----------
    name : str
        Column name (prefix for terms that make several columns).
    lag : int
        Information up to ``t - lag`` is used (0 = the current period).
    description : str
        How the column is computed; stored in ``RiskSet.column_meta``.
    """

    name: str
    lag: int
    description: str
    design: ClassVar[str] = "monadic"  # "dyadic" terms need a source unit
    #: True for a term computed from other units' adoptions (shares, neighbours, leaders).
    uses_adoptions: ClassVar[bool] = False

    def alias(self, name: str) -> "Term":
        """Deprecated: pass ``name=`` to the builder (``national_share(name="natl")``), the
        one spelling in Python, the command line and the study file.

        Examples
        --------
        >>> import warnings
        >>> from policydiffusion.terms import national_share
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore", DeprecationWarning)
        ...     national_share().alias("natl").name
        'natl'
        """
        warnings.warn("Term.alias(...) is deprecated; pass name=... to the term builder, "
                      "e.g. national_share(name='natl').", DeprecatedSpellingWarning,
                      stacklevel=2)
        return _renamed(self, name)

    def columns(self, ctx: "BuildContext") -> list[str]:
        """Names of the columns the term adds."""
        return [self.name]

    def is_static(self, ctx: "BuildContext") -> bool:
        """True when the column cannot change over time (a fixed attribute of the unit or
        the pair), whatever ``lag`` says; the methods text calls such a term static."""
        return False

    def column_meta(self, ctx: "BuildContext") -> dict[str, dict]:
        """``{column: {"description": ..., "lag": ...}}`` for each added column
        (with ``"static": True`` for a term that cannot change over time)."""
        extra = {"static": True} if self.is_static(ctx) else {}
        return {c: {"description": self.description, "lag": self.lag, **extra}
                for c in self.columns(ctx)}

    def apply(self, plan: pl.LazyFrame, ctx: "BuildContext") -> pl.LazyFrame:
        """Add the term's columns to ``plan`` (keys ``policy, unit, period`` [, ``source``])."""
        raise NotImplementedError

    def reads_same_period_adoptions(self) -> bool:
        """True when the column counts adoptions of period t itself (lag 0).

        A simulation draws period t's adoptions from the columns, so it refuses such a
        term (it needs information up to t-1).

        Examples
        --------
        >>> from policydiffusion.terms import covariate, national_share
        >>> national_share(lag=0).reads_same_period_adoptions()
        True
        >>> covariate("x").reads_same_period_adoptions()
        False
        """
        return self.uses_adoptions and self.lag < 1

    def simulate_values(self, ctx: "SimulationContext", t: int,
                        adoption: "np.ndarray") -> "dict[str, np.ndarray] | None":
        """The term's column(s) at period t for every unit, in a simulation.

        ``adoption`` holds each unit's adoption period so far (``NEVER`` for units that
        have not adopted); ``ctx`` gives the study as arrays (see
        :class:`~policydiffusion.terms._simulation.SimulationContext`). Returns
        ``{column: values}`` with exactly the values :meth:`apply` puts in a risk set
        (tests/terms/test_simulate_values.py checks this for every term that has
        it), or None: the term has no numpy form and the simulator computes it with the
        risk-set builder (exact, slower).

        Examples
        --------
        >>> from policydiffusion.terms import period_dummies
        >>> period_dummies().simulate_values(None, 1, None) is None  # the builder does it
        True
        """
        return None

    def _tmp(self, suffix: str) -> str:
        """A temporary column name that cannot clash with another term's."""
        return f"__{self.name}__{suffix}"
