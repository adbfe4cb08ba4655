"""The Term value object every diffusion-term builder returns."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, ClassVar

import polars as pl

from policydiffusion.errors import InvalidOptionError

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext

__all__ = ["Term", "check_lag", "lag_text"]


def check_lag(lag: object, *, name: str = "lag") -> int:
    """``lag`` as a non-negative integer, or an :class:`InvalidOptionError`."""
    if isinstance(lag, bool) or not isinstance(lag, int) or lag < 0:
        raise InvalidOptionError(f"{name} must be a whole number >= 0 (1 = information up to "
                                 f"t-1); got {lag!r}.")
    return lag


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

    def alias(self, name: str) -> "Term":
        """A copy of the term whose column is called ``name``.

        Examples
        --------
        >>> from policydiffusion.terms import national_share
        >>> national_share().alias("natl").name
        'natl'
        """
        if not isinstance(name, str) or not name.strip():
            raise InvalidOptionError(f"alias needs a non-empty column name; got {name!r}.")
        return replace(self, name=name)

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

    def _tmp(self, suffix: str) -> str:
        """A temporary column name that cannot clash with another term's."""
        return f"__{self.name}__{suffix}"
