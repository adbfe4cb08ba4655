"""The monadic (unit-period) risk set, the base of every design."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd
import polars as pl

from policydiffusion import __version__
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset._context import PERIOD, BuildContext
from policydiffusion.riskset._dask import DaskBuild, DaskRiskSet
from policydiffusion.riskset._riskset import RiskSet
from policydiffusion.riskset._spells import SpellOptions, build_spells
from policydiffusion.study import Study

__all__ = ["monadic_riskset"]

BASE_META = {
    "policy": {"description": "policy id", "lag": None},
    "unit": {"description": "unit at risk (i)", "lag": None},
    "period": {"description": "period t (integer; see Study.label)", "lag": None},
    "duration": {"description": "periods at risk so far: t - start_i + 1 (start_i = the unit's "
                                "first period at risk)", "lag": 0},
    "adopt": {"description": "1 if the unit adopts the policy in period t, else 0 (the last row "
                             "of an adopter)", "lag": 0},
}
INTERNAL = ("_start", "_T")


def resolve_policies(study: Study, policy: str | None, policies: Sequence[str] | None
                     ) -> tuple[str, ...]:
    """The policies to stack: exactly one of ``policy`` / ``policies`` must be given."""
    if (policy is None) == (policies is None):
        raise InvalidOptionError(
            "name the policy with policy='...' or several with policies=[...] (pooled); "
            "for every policy of the study pass policies=study.policy_ids.")
    if policy is not None:
        if not isinstance(policy, str):
            raise InvalidOptionError(f"policy must be one policy id (text); got {policy!r}. "
                                     "Use policies=[...] for several.")
        chosen = (policy,)
    else:
        if isinstance(policies, str):
            raise InvalidOptionError("policies must be a list of ids; use policy='...' for one.")
        chosen = tuple(dict.fromkeys(str(p) for p in policies))
        if not chosen:
            raise InvalidOptionError("policies=[] names no policy.")
    known = set(study.policy_ids)
    unknown = [p for p in chosen if p not in known]
    if unknown:
        study.policy_window(unknown[0])  # raises with a helpful message
    return chosen


def check_terms(terms: Sequence[object], design: str) -> tuple:
    from policydiffusion.terms import Term

    terms = tuple(terms)
    for t in terms:
        if not isinstance(t, Term):
            raise InvalidOptionError(f"terms must be Term objects such as "
                                     f"policydiffusion.terms.national_share(); got {t!r}.")
        if t.design == "dyadic" and design != "dyadic":
            raise InvalidOptionError(f"term {t.name!r} is dyadic (it needs a source unit j); use "
                                     "it with dyadic_riskset.")
    return terms


def make_context(study: Study, spells: pl.DataFrame, policies: Sequence[str], design: str,
                 facts: dict | None = None) -> BuildContext:
    """``facts``: the memo of spell facts to share (one per risk set; a fresh one if None)."""
    lo = spells.get_column("_start").min() if spells.height else study.start
    hi = spells.get_column("_last").max() if spells.height else study.start
    return BuildContext(study=study, design=design, policies=tuple(policies), spells=spells,
                        periods=(int(lo), int(hi)), facts={} if facts is None else facts)


def base_plan(ctx: BuildContext, unit_attributes: Sequence[str]) -> pl.LazyFrame:
    """``policy, unit, period, duration, adopt`` (+ attributes, ``_start``, ``_T``)."""
    sp = ctx.spells.lazy().filter(pl.col("policy").is_in(list(ctx.policies)))
    plan = (sp.with_columns(pl.int_ranges("_start", pl.col("_last") + 1, dtype=PERIOD).alias("period"))
            .explode("period")
            .select("policy", "unit", "period",
                    (pl.col("period") - pl.col("_start") + 1).cast(pl.Int32).alias("duration"),
                    ((pl.col("period") == pl.col("_last")) & (pl.col("_event") == 1))
                    .cast(pl.Int8).alias("adopt"),
                    "_start", "_T"))
    for a in unit_attributes:
        ctx.require_unit_column(a)
    if unit_attributes:
        plan = plan.join(ctx.study.units.lazy().select("unit", *unit_attributes), on="unit",
                         how="left")
    return plan


def apply_terms(plan: pl.LazyFrame, ctx: BuildContext, terms: Sequence[object]) -> pl.LazyFrame:
    for t in terms:
        plan = t.apply(plan, ctx)
    return plan


def terms_meta(ctx: BuildContext, terms: Sequence[object], taken: Sequence[str]) -> dict:
    meta: dict[str, dict] = {}
    seen = set(taken)
    for t in terms:
        for col, m in t.column_meta(ctx).items():
            if col in seen and col != "duration":
                raise InvalidOptionError(
                    f"two columns would be called {col!r}; rename one term with "
                    f"name='new_name' (e.g. national_share(name='natl'); the old "
                    f".alias() is deprecated).")
            seen.add(col)
            meta[col] = m
    return meta


@dataclass(frozen=True)
class Setup:
    """What both designs share: chosen policies, checked terms, spells, exclusions, options."""

    study: Study
    chosen: tuple[str, ...]
    terms: tuple
    spells: pl.DataFrame
    exclusions: pd.DataFrame
    unit_attributes: tuple[str, ...]
    options: dict
    facts: dict = field(default_factory=dict, compare=False, repr=False)

    def context(self, batch: Sequence[str], design: str) -> BuildContext:
        """The build context of ``batch``, sharing this risk set's memo of spell facts."""
        return make_context(self.study, self.spells, batch, design, self.facts)

    def unit_period_plan(self, batch: Sequence[str], terms: Sequence[object]) -> pl.LazyFrame:
        """Unit-period rows of ``batch`` with ``terms`` (internal columns kept)."""
        ctx = self.context(batch, "monadic")
        return apply_terms(base_plan(ctx, self.unit_attributes), ctx, terms)

    def meta(self, base: dict, design: str) -> dict:
        meta = dict(base)
        for a in self.unit_attributes:
            meta[a] = {"description": f"attribute {a!r} of the unit at risk (units table)",
                       "lag": None}
        ctx = self.context(self.chosen, design)
        meta.update(terms_meta(ctx, self.terms, list(meta)))
        return meta


def setup(study: Study, policy: str | None, policies: Sequence[str] | None, *, design: str,
          terms: Sequence[object], start: str | int, first_period_adopters: str,
          late_entry: bool, unit_attributes: Sequence[str], level: str | None = None,
          not_before: int | None = None) -> Setup:
    chosen = resolve_policies(study, policy, policies)
    terms = check_terms(terms, design)
    opt = SpellOptions(start=start, first_period_adopters=first_period_adopters,
                       late_entry=late_entry, level=level, not_before=not_before)
    spells, exclusions = build_spells(study, chosen, opt)
    options = {"design": design, "policies": list(chosen), "start": start,
               "not_before": not_before,
               "first_period_adopters": first_period_adopters, "late_entry": late_entry,
               "unit_attributes": list(unit_attributes), "terms": [repr(t) for t in terms],
               "policydiffusion": __version__}
    if level is not None:
        options["level"] = level
    return Setup(study, chosen, terms, spells, exclusions, tuple(unit_attributes), options)


def monadic_riskset(
    study: Study,
    policy: str | None = None,
    *,
    policies: Sequence[str] | None = None,
    terms: Sequence[object] = (),
    start: str | int = "first_adoption",
    first_period_adopters: str = "event",
    late_entry: bool = True,
    unit_attributes: Sequence[str] = (),
    lazy: bool = False,
    level: str | None = None,
    not_before: int | None = None,
    engine: str = "local",
    scheduler: str | None = None,
    partition_periods: int | None = None,
    output: str | Path | None = None,
    progress: bool = False,
) -> RiskSet | DaskRiskSet:
    """Discrete-time event-history risk set: one row per unit-period at risk, per policy.

    A unit enters the risk set at ``max(start of risk, its entry period)`` and leaves
    after its adoption period (the last row, ``adopt = 1``) or at the end of
    observation (``min(study.end, policy end, unit exit)``; right-censored, not at the
    last adoption). There is never a row after adoption. Units that adopted before
    the start of risk (left-censored) or are never at risk are left out and counted in
    ``rs.exclusions`` with the reason.

    Parameters
    ----------
    study
        A validated :class:`~policydiffusion.study.Study`.
    policy, policies
        One policy id, or several (a pooled risk set stacking them, keyed by ``policy``).
    terms
        Diffusion terms from :mod:`policydiffusion.terms`; each adds named columns.
    start
        Start of risk: ``"first_adoption"`` (the period of the policy's first adoption),
        ``"opening"`` (``study.policies['opening']``, e.g. a court ruling) or an
        integer period used for every policy.
    first_period_adopters
        ``"event"``: units adopting in the first period are events in their first row.
        ``"skip"``: risk starts one period later, so those units count as left-censored
        and are excluded (some authors start the year after the first adoption).
    not_before
        A period before which no policy's risk starts: each policy's start of risk is
        ``max(start [+ 1 with skip], not_before)``. Desmarais, Harden & Boehmke (2015):
        ``first_period_adopters="skip", not_before=1960`` (from the first adoption + 1,
        only years after 1959). Earlier adopters are left-censored and counted.
    late_entry
        True: units entering after the start (statehood, new prefectures) enter the risk
        set at their entry period. False: such units are excluded (and counted).
    unit_attributes
        Columns of ``study.units`` to carry onto every row (e.g. ``["region"]``).
    lazy
        True: nothing is computed yet; ``rs.plan`` is a polars LazyFrame to collect or
        sink. False: the rows are computed and held in memory.
    level
        Multi-level designs: only the units whose ``units.level`` is this (e.g.
        ``"prefecture"``) are at risk; the others are counted in ``rs.exclusions``, and
        their adoptions reach the risk set through level terms
        (:func:`~policydiffusion.terms.ancestor_adopted`,
        :func:`~policydiffusion.terms.central_signal`). Counting terms such as
        ``national_share`` count units of every level: use
        :func:`~policydiffusion.terms.peer_share_within_parent` or a relation among
        units of one level instead.
    engine, scheduler, partition_periods, output, progress
        ``engine="dask"`` builds one Dask task per (policy, block of
        ``partition_periods`` periods; default all of a policy's periods) with the
        same polars builder, on the scheduler at ``scheduler`` (default the current
        client, else a new LocalCluster), and returns a :class:`DaskRiskSet`: rows in
        the Parquet folder ``output`` (one file per partition) or, without it, in
        worker memory. ``progress=True`` counts finished partitions on stderr. See
        ``docs/dask.md``.

    Returns
    -------
    RiskSet
        Columns ``policy, unit, period, duration, adopt`` (``adopt`` Int8, ``period``
        and ``duration`` Int32), the carried attributes and the term columns, sorted by
        policy, unit and period.

    Notes
    -----
    Ties: in discrete time several units may adopt in the same period; each is an event
    in its own row. Lagged terms (``lag >= 1``) never see same-period adoptions by
    others; only ``lag=0`` does.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> from policydiffusion import terms as T
    >>> s = load_study(pd.DataFrame({"policy": ["p"] * 2, "unit": ["A", "B"],
    ...                              "time": [2001, 2003]}),
    ...                units=pd.DataFrame({"unit": ["A", "B", "C"]}), end=2003)
    >>> rs = monadic_riskset(s, policy="p", terms=[T.national_share()])
    >>> rs.data.filter(pl.col("unit") == "C").get_column("national_share_l1").to_list()
    [0.0, 0.5, 0.5]
    """
    on_dask = DaskBuild.parse(engine, scheduler=scheduler, partition_periods=partition_periods,
                              output=output, progress=progress)
    su = setup(study, policy, policies, design="monadic", terms=terms, start=start,
               first_period_adopters=first_period_adopters, late_entry=late_entry,
               unit_attributes=unit_attributes, level=level, not_before=not_before)

    def builder(batch: Sequence[str]) -> pl.LazyFrame:
        plan = su.unit_period_plan(batch, su.terms)
        return plan.drop(*INTERNAL).sort("policy", "unit", "period")

    rs = RiskSet(design="monadic", plan=builder(su.chosen), exclusions=su.exclusions,
                 column_meta=su.meta(BASE_META, "monadic"), options=su.options,
                 policies=su.chosen, _builder=builder)
    if on_dask is not None:
        return on_dask.build(rs, su.spells)
    return rs if lazy else rs.collect()
