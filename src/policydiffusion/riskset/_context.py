"""What a diffusion term may look at while it adds its columns to a risk-set plan."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import polars as pl

from policydiffusion.study import Study

__all__ = ["BuildContext", "PERIOD", "UNIT_KEYS"]

PERIOD = pl.Int32
UNIT_KEYS = ["policy", "unit", "period"]
_BIG = 2**31 - 2


@dataclass(frozen=True)
class BuildContext:
    """The study and the spells behind one risk-set plan.

    Terms read from here and never from outside, so a term sees exactly the policies,
    units and adoptions of the plan it extends.

    Attributes
    ----------
    study : Study
        The whole study (terms such as ``leaders_adopted('most_innovative')`` use its
        other policies).
    design : str
        ``"monadic"`` or ``"dyadic"``.
    policies : tuple[str, ...]
        The policies of this plan.
    spells : polars.DataFrame
        ``policy, unit, _start, _last, _T, _event`` of the units at risk, for ALL the
        policies of the risk set (terms that need data-wide facts, such as spline knots
        or the periods present, read them here so that batches agree).
    periods : tuple[int, int]
        Smallest and largest period that has a row (of the whole risk set, so batches
        agree on column sets such as period dummies).
    facts : dict
        Memo of facts computed from ``spells`` (see :meth:`spell_fact`), shared by all
        the contexts of one risk set so that each is computed once, not once per batch.
    """

    study: Study
    design: str
    policies: tuple[str, ...]
    spells: pl.DataFrame
    periods: tuple[int, int]
    facts: dict = field(default_factory=dict, compare=False, repr=False)

    def spell_fact(self, key: str, compute: Callable[[pl.DataFrame], Any]) -> Any:
        """``compute(spells)``, memoised under ``key`` (a fact of the whole risk set)."""
        if key not in self.facts:
            self.facts[key] = compute(self.spells)
        return self.facts[key]

    # ---------------------------------------------------------------- tables
    def unit_periods(self) -> pl.LazyFrame:
        """``policy, unit, period``: the unit-period rows of the plan's policies.

        Built from the spells, not from the plan, so a term that needs the row keys
        does not make the query refer to itself (which would grow with every term).
        """
        return (self.spells.lazy().filter(pl.col("policy").is_in(list(self.policies)))
                .select("policy", "unit",
                        pl.int_ranges("_start", pl.col("_last") + 1, dtype=PERIOD).alias("period"))
                .explode("period"))

    def policy_periods(self) -> pl.LazyFrame:
        """``policy, period``: distinct policy-periods that have rows."""
        sp = self.spells.lazy().filter(pl.col("policy").is_in(list(self.policies)))
        return (sp.group_by("policy").agg(pl.col("_start").min(), pl.col("_last").max())
                .select("policy", pl.int_ranges("_start", pl.col("_last") + 1, dtype=PERIOD)
                        .alias("period"))
                .explode("period"))

    def adoptions(self) -> pl.LazyFrame:
        """``policy, unit, T``: every adoption of the plan's policies in the study window.

        Units that adopted before the start of risk are included: they count as prior
        adopters for everybody else.
        """
        return (self.study.adoptions.lazy()
                .filter(pl.col("policy").is_in(list(self.policies)))
                .select("policy", "unit", pl.col("period").cast(PERIOD).alias("T")))

    def existence(self) -> pl.LazyFrame:
        """``unit, _entry, _exit`` with open ends as very small / large integers."""
        return self.study.units.lazy().select(
            "unit",
            pl.col("entry").fill_null(-_BIG).cast(PERIOD).alias("_entry"),
            pl.col("exit").fill_null(_BIG).cast(PERIOD).alias("_exit"),
        )

    def unit_attribute(self, column: str) -> pl.LazyFrame:
        """``unit, <column>`` from the units table (error lists the columns)."""
        self.require_unit_column(column)
        return self.study.units.lazy().select("unit", column)

    def require_unit_column(self, column: str) -> None:
        if column not in self.study.units.columns:
            from policydiffusion.errors import InvalidOptionError

            cols = [c for c in self.study.units.columns if c not in ("unit", "name")]
            raise InvalidOptionError(f"the units table has no column {column!r}; it has {cols}.")

    def existing_units(self, by: str | None = None) -> pl.LazyFrame:
        """``period, unit[, by]``: the units that exist in each period of the plan."""
        lo, hi = self.periods
        periods = pl.LazyFrame({"period": pl.int_range(lo, hi + 1, eager=True, dtype=PERIOD)})
        ex = self.existence()
        if by is not None:
            ex = ex.join(self.unit_attribute(by), on="unit")
        return (periods.join(ex, how="cross")
                .filter((pl.col("_entry") <= pl.col("period")) & (pl.col("_exit") >= pl.col("period")))
                .select("period", "unit", *([by] if by else [])))

    def existing_count(self, by: str | None = None) -> pl.LazyFrame:
        """``period[, by], _n``: number of units that exist in each period of the plan."""
        keys = ["period"] + ([by] if by else [])
        return self.existing_units(by).group_by(keys).agg(pl.len().cast(pl.Int32).alias("_n"))

    def adopted_by(self, keys: pl.LazyFrame, lag: int) -> pl.LazyFrame:
        """``policy, period, unit`` for units existing in ``period`` that adopted by ``period - lag``.

        ``keys`` holds distinct ``policy, period`` pairs.
        """
        return (keys.join(self.adoptions(), on="policy")
                .filter(pl.col("T") <= pl.col("period") - lag)
                .join(self.existence(), on="unit")
                .filter((pl.col("_entry") <= pl.col("period")) & (pl.col("_exit") >= pl.col("period")))
                .select("policy", "period", "unit"))

    def relation_edges(self, relation: str) -> pl.LazyFrame:
        """``source, target, weight, period`` of a study relation (error lists known ones)."""
        return self.study.relation(relation).edges.lazy().with_columns(
            pl.col("period").cast(PERIOD))

    def covariate_or_attribute(self, column: str, lag: int) -> tuple[pl.LazyFrame, bool]:
        """Values of ``column`` as ``unit[, period], <column>`` and whether it varies by period.

        A covariate-panel column is shifted so that its ``period`` is the row's period:
        the row at ``t`` gets the value observed at ``t - lag``.
        """
        cov = self.study.covariates
        if cov is not None and column in cov.columns and column not in ("unit", "period"):
            return (cov.lazy().select("unit", (pl.col("period") + lag).cast(PERIOD).alias("period"),
                                      column), True)
        if column in self.study.units.columns and column not in ("unit",):
            return self.study.units.lazy().select("unit", column), False
        from policydiffusion.errors import InvalidOptionError

        have = [c for c in (cov.columns if cov is not None else []) if c not in ("unit", "period")]
        attrs = [c for c in self.study.units.columns if c not in ("unit", "name")]
        raise InvalidOptionError(f"{column!r} is neither a covariate ({have or 'none'}) nor a unit "
                                 f"attribute ({attrs}).")
