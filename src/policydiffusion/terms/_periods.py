"""Does a period-varying relation meet the risk set's periods? (an all-zero term otherwise)"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from policydiffusion._warnings import warn
from policydiffusion.errors import InvalidOptionError, RelationPeriodsWarning

if TYPE_CHECKING:
    from policydiffusion.riskset._context import BuildContext

__all__ = ["check_periods_meet", "check_relation_periods"]


def check_periods_meet(relation: str, edge_periods: set[int], rows: tuple[int, int],
                       relation_lag: int, *, window: int | None = 1) -> None:
    """Refuse a period-varying relation whose periods never meet the rows' periods.

    The edges of period ``e`` serve the rows of ``e + relation_lag`` (and the
    ``window - 1`` periods after it; ``window=None``: every later period). If no row period
    ``rows[0]..rows[1]`` is served the term would be 0 everywhere (two-digit years in
    the adoptions against four-digit years in the network): an
    :class:`~policydiffusion.errors.InvalidOptionError` names both ranges. If fewer
    than half of the row periods are served, a warning says how many.

    Examples
    --------
    >>> check_periods_meet("net", {1990, 1991}, (90, 95), 0)
    Traceback (most recent call last):
    ...
    policydiffusion.errors.InvalidOptionError: relation 'net' has edges for periods 1990-1991 but the rows are in periods 90-95: they never meet (relation lag 0), so every value would be 0. Put both on the same time scale (e.g. four-digit years).
    """
    if not edge_periods:
        return
    lo, hi = rows
    reach = hi - lo + 1 if window is None else window
    served = len({t for e in edge_periods for t in range(e + relation_lag, e + relation_lag + reach)
                  if lo <= t <= hi})
    n = hi - lo + 1
    span = f"{min(edge_periods)}-{max(edge_periods)}"
    if served == 0:
        raise InvalidOptionError(
            f"relation {relation!r} has edges for periods {span} but the rows are in periods "
            f"{lo}-{hi}: they never meet (relation lag {relation_lag}), so every value would "
            "be 0. Put both on the same time scale (e.g. four-digit years).")
    if served < n / 2:
        warn(RelationPeriodsWarning(
            f"relation {relation!r} has edges for periods {span}: only {served} of the "
            f"{n} row periods {lo}-{hi} (relation lag {relation_lag}) have any edge; the "
            "others get 0.", relation=relation, served=served, n=n, lo=lo, hi=hi, span=span,
            relation_lag=relation_lag))


def check_relation_periods(ctx: "BuildContext", relation: str, relation_lag: int, *,
                           window: int | None = 1) -> None:
    """:func:`check_periods_meet` for a study relation with no static edge, once per risk set."""
    def check(_spells: pl.DataFrame) -> bool:
        period = ctx.study.relation(relation).edges.get_column("period")
        if period.null_count() == 0:
            check_periods_meet(relation, set(period.unique().to_list()), ctx.periods,
                               relation_lag, window=window)
        return True

    ctx.spell_fact(f"relation periods {relation!r} lag {relation_lag} window {window}", check)
