"""Spells at risk: for each (policy, unit) the first and last period at risk, or why none.

A spell is the stretch of periods in which a unit could adopt a policy. Everything a
risk set contains follows from the spells, so the rules for the start of risk, late
entry, censoring and exclusions live here, in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd
import polars as pl

from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.study import Study

__all__ = ["SpellOptions", "build_spells", "exclusion_row", "FIRST_PERIOD_ADOPTERS"]

FIRST_PERIOD_ADOPTERS = ("event", "skip")
_BIG = 2**31 - 2  # stands for "no exit" / "no adoption" in integer comparisons

# Exclusion reasons, worded for researchers (they appear in rs.exclusions and the CLI).
R_NO_ADOPTION = "policy has no adoption in the observation window, so risk never starts (use start='opening' or a period)"
R_LEFT_CENSORED = "adopted before the start of risk (left-censored)"
R_FIRST_SKIPPED = "adopted in the first period, which first_period_adopters='skip' leaves out"
R_EXIT_BEFORE = "unit ceased to exist before the start of risk"
R_ENTRY_AFTER = "unit entered after the end of observation"
R_LATE_ENTRY = "unit entered after the start of risk and late_entry=False"
R_EMPTY = "no period at risk: start of risk is after the end of observation"
R_ADOPT_AFTER_END = "adoption after the policy's end of observation (unit kept, censored at the end)"
# the conditional dyadic design (riskset._dyadic) adds rows only where a source had adopted
R_NO_SOURCE = ("no other unit had adopted before any of its periods at risk, so it has no row in "
               "the conditional dyadic risk set (e.g. a first adopter)")
R_OTHER_LEVEL = "unit at another level than the one at risk (its adoptions still count in level terms)"


@dataclass(frozen=True)
class SpellOptions:
    """The options that decide who is at risk when (see :func:`monadic_riskset`)."""

    start: str | int = "first_adoption"
    first_period_adopters: str = "event"
    late_entry: bool = True
    level: str | None = None
    not_before: int | None = None

    def check(self) -> None:
        if isinstance(self.start, bool) or not (
            isinstance(self.start, int) or self.start in ("first_adoption", "opening")
        ):
            raise InvalidOptionError(
                "start must be 'first_adoption', 'opening' or an integer period such as 1990; "
                f"got {self.start!r}.")
        check_choice("first_period_adopters", self.first_period_adopters, FIRST_PERIOD_ADOPTERS)
        if not isinstance(self.late_entry, bool):
            raise InvalidOptionError(f"late_entry must be True or False; got {self.late_entry!r}.")
        if self.not_before is not None and (isinstance(self.not_before, bool)
                                            or not isinstance(self.not_before, int)):
            raise InvalidOptionError(f"not_before must be a period such as 1960 (an integer) or "
                                     f"None; got {self.not_before!r}.")


def _policy_starts(study: Study, policies: Sequence[str], opt: SpellOptions) -> pl.DataFrame:
    """policy, _pstart (start of risk before the first-period rule), _pend."""
    ends = [study.policy_window(p)[1] for p in policies]
    frame = pl.DataFrame({"policy": list(policies), "_pend": ends},
                         schema={"policy": pl.Utf8, "_pend": pl.Int64})
    if opt.start == "first_adoption":
        first = study.adoptions.group_by("policy").agg(pl.col("period").min().alias("_pstart"))
        frame = frame.join(first, on="policy", how="left")
    elif opt.start == "opening":
        op = study.policies.select("policy", pl.col("opening").alias("_pstart"))
        frame = frame.join(op, on="policy", how="left")
        missing = frame.filter(pl.col("_pstart").is_null()).get_column("policy").to_list()
        if missing:
            raise InvalidOptionError(
                f"start='opening' needs an opening period for every policy, but {len(missing)} "
                f"have none (e.g. {missing[:5]}); fill the 'opening' column of the policies table "
                "or use start='first_adoption'.")
    else:
        frame = frame.with_columns(pl.lit(int(opt.start), pl.Int64).alias("_pstart"))
    return frame


def _risk_start(start: pl.Expr, not_before: int | None) -> pl.Expr:
    """The policy's start of risk, no earlier than ``not_before`` (DHB 2015: each policy
    from its first adoption + 1, only years after 1959)."""
    if not_before is None:
        return start
    return pl.when(start.is_null()).then(None).otherwise(
        pl.max_horizontal(start, pl.lit(not_before, pl.Int64)))


def build_spells(study: Study, policies: Sequence[str], opt: SpellOptions
                 ) -> tuple[pl.DataFrame, pd.DataFrame]:
    """Spells of every (policy, unit) pair and the exclusions.

    Returns a polars frame with ``policy, unit, _start, _last, _T, _event`` (one row per
    pair at risk; ``_T`` is the unit's adoption period or null; ``_event`` is 1 when the
    spell ends in adoption) and a pandas frame ``reason, count, examples``.
    """
    opt.check()
    pol = _policy_starts(study, policies, opt)
    skip = opt.first_period_adopters == "skip"
    units = study.units.select(
        "unit",
        pl.col("entry").fill_null(-_BIG).alias("_entry"),
        pl.col("exit").fill_null(_BIG).alias("_exit"),
    )
    other_level = None
    if opt.level is not None:
        units, other_level = _at_level(study, units, opt.level, len(policies))
    adopt = study.adoptions.filter(pl.col("policy").is_in(list(policies))).select(
        "policy", "unit", pl.col("period").alias("_T"))
    pairs = (pol.join(units, how="cross")
             .join(adopt, on=["policy", "unit"], how="left")
             .with_columns(_risk_start(pl.col("_pstart") + int(skip), opt.not_before).alias("_s")))
    first = (pl.max_horizontal("_s", "_entry") if opt.late_entry else pl.col("_s"))
    pairs = pairs.with_columns(first.alias("_start"))
    pairs = pairs.with_columns(
        pl.min_horizontal("_pend", "_exit", pl.col("_T").fill_null(_BIG)).alias("_last"))

    T, s = pl.col("_T"), pl.col("_s")
    reason = (
        pl.when(pl.col("_pstart").is_null()).then(pl.lit(R_NO_ADOPTION))
        .when(T.is_not_null() & (T < s) & skip & (T == pl.col("_pstart"))).then(pl.lit(R_FIRST_SKIPPED))
        .when(T.is_not_null() & (T < s)).then(pl.lit(R_LEFT_CENSORED))
        .when(pl.col("_exit") < s).then(pl.lit(R_EXIT_BEFORE))
        .when(pl.col("_entry") > pl.col("_pend")).then(pl.lit(R_ENTRY_AFTER))
        .when((not opt.late_entry) & (pl.col("_entry") > s)).then(pl.lit(R_LATE_ENTRY))
        .when(pl.col("_start") > pl.col("_last")).then(pl.lit(R_EMPTY))
        .otherwise(pl.lit(None, pl.Utf8))
    )
    pairs = pairs.with_columns(reason.alias("_reason"))
    excluded = pairs.filter(pl.col("_reason").is_not_null())
    kept = pairs.filter(pl.col("_reason").is_null())
    censored_adopters = kept.filter(T.is_not_null() & (T > pl.col("_last")) & (T > pl.col("_pend")))

    rows = [] if other_level is None or other_level[1] == 0 else [other_level]
    for reason_text in (R_NO_ADOPTION, R_FIRST_SKIPPED, R_LEFT_CENSORED, R_EXIT_BEFORE,
                        R_ENTRY_AFTER, R_LATE_ENTRY, R_EMPTY):
        part = excluded.filter(pl.col("_reason") == reason_text)
        if part.height:
            rows.append(exclusion_row(reason_text, part))
    if censored_adopters.height:
        rows.append(exclusion_row(R_ADOPT_AFTER_END, censored_adopters))
    exclusions = pd.DataFrame(rows, columns=["reason", "count", "examples"])

    spells = kept.select(
        "policy", "unit",
        pl.col("_start").cast(pl.Int32), pl.col("_last").cast(pl.Int32),
        pl.col("_T").cast(pl.Int32),
        (T.is_not_null() & (T == pl.col("_last"))).cast(pl.Int8).alias("_event"),
    )
    return spells, exclusions


def _at_level(study: Study, units: pl.DataFrame, level: str, n_policies: int
              ) -> tuple[pl.DataFrame, tuple[str, int, str]]:
    """Only the units of ``level`` are at risk; the others are counted once per policy."""
    if "level" not in study.units.columns:
        raise InvalidOptionError(f"level={level!r} needs a 'level' column in the units table.")
    levels = study.units.get_column("level")
    known = sorted({str(v) for v in levels.drop_nulls()})
    if level not in known:
        raise InvalidOptionError(f"no unit is at level {level!r}; the units' levels are {known}.")
    keep = study.units.filter(pl.col("level") == level).get_column("unit")
    # a unit without a level is not at risk either: count it rather than lose it
    other = study.units.filter((pl.col("level") != level) | pl.col("level").is_null()
                               ).get_column("unit").to_list()
    row = (R_OTHER_LEVEL, len(other) * n_policies, ", ".join(other[:5]))
    return units.filter(pl.col("unit").is_in(keep.to_list())), row


def exclusion_row(reason: str, part: pl.DataFrame) -> tuple[str, int, str]:
    ex = [f"{p}/{u}" for p, u in zip(part.get_column("policy")[:5], part.get_column("unit")[:5])]
    return reason, part.height, ", ".join(ex)
