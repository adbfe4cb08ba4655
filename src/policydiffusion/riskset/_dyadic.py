"""The directed-dyad risk set (Volden 2006), full or conditional (Boehmke 2009)."""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

import pandas as pd
import polars as pl

from policydiffusion.riskset._context import BuildContext
from policydiffusion.riskset._dask import DaskBuild, DaskRiskSet
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset._monadic import BASE_META, INTERNAL, Setup, apply_terms, setup
from policydiffusion.riskset._riskset import RiskSet
from policydiffusion.riskset._spells import R_NO_SOURCE, exclusion_row
from policydiffusion.riskset._sample import WEIGHT, check_sampling
from policydiffusion.riskset._sample import sample_nonevents as _sample
from policydiffusion.study import Study

__all__ = ["dyadic_riskset"]

DYAD_META = {
    "source": {"description": "possible source unit j (j != i, j exists at t)", "lag": None},
    "adopt_after_source": {"description": "1 if i adopts in t and j had adopted before t "
                                          "(Volden's emulation outcome), else 0", "lag": 1},
    "source_adopted": {"description": "1 if j had adopted by t-1 (A_j,t-1)", "lag": 1},
}
KEY_ORDER = ["policy", "unit", "source", "period", "duration", "adopt", "adopt_after_source",
             "source_adopted"]


def _sources(dctx: BuildContext, conditional: bool) -> pl.LazyFrame:
    """``policy, source, _src_T, _src_entry, _src_exit`` of the possible sources."""
    units = dctx.existence().rename({"unit": "source", "_entry": "_src_entry",
                                     "_exit": "_src_exit"})
    adopt = dctx.adoptions().rename({"unit": "source", "T": "_src_T"})
    if conditional:
        return adopt.join(units, on="source")
    pol = pl.LazyFrame({"policy": list(dctx.policies)}, schema={"policy": pl.Utf8})
    return pol.join(units, how="cross").join(adopt, on=["policy", "source"], how="left")


def _without_sources(su: Setup) -> pd.DataFrame:
    """The exclusion row for pairs (policy, unit) with no dyad in the conditional design.

    i has a row at t only for sources j != i existing at t that adopted before t, so a
    unit at risk only while nobody else had adopted (a first adopter) has no row at all;
    its adoption is not an event of the design and is counted here instead.
    """
    src = _sources(su.context(su.chosen, "dyadic"), True).with_columns(
        pl.max_horizontal(pl.col("_src_T") + 1, "_src_entry").alias("_from"))
    spells = su.spells.lazy().select("policy", "unit", "_start", "_last")
    covered = (spells.join(src, on="policy")
               .filter((pl.col("source") != pl.col("unit")) & (pl.col("_from") <= pl.col("_last"))
                       & (pl.col("_src_exit") >= pl.col("_start"))
                       & (pl.col("_from") <= pl.col("_src_exit")))
               .select("policy", "unit").unique())
    lost = spells.join(covered, on=["policy", "unit"], how="anti").select("policy", "unit")
    # only the count and five examples are computed, never the list of lost pairs (the
    # join of spells and sources is the largest thing here; the plan stays lazy to there)
    count, first = pl.collect_all([lost.select(pl.len()),
                                   lost.sort("policy", "unit").head(5)])
    n = int(count.item())
    if not n:
        return su.exclusions
    reason, _, examples = exclusion_row(R_NO_SOURCE, first)
    row = pd.DataFrame([(reason, n, examples)], columns=["reason", "count", "examples"])
    return pd.concat([su.exclusions, row], ignore_index=True) if len(su.exclusions) else row


def dyadic_riskset(
    study: Study,
    policy: str | None = None,
    *,
    policies: Sequence[str] | None = None,
    conditional: bool = True,
    terms: Sequence[object] = (),
    start: str | int = "first_adoption",
    first_period_adopters: str = "event",
    late_entry: bool = True,
    unit_attributes: Sequence[str] = (),
    lazy: bool = False,
    sort: bool | None = None,
    not_before: int | None = None,
    sample_nonevents: float | None = None,
    seed: int | None = None,
    sample_method: str = "systematic",
    engine: str = "local",
    scheduler: str | None = None,
    partition_periods: int | None = None,
    output: str | Path | None = None,
    progress: bool = False,
) -> RiskSet | DaskRiskSet:
    """Directed-dyad risk set: rows (i, j, t) for i at risk at t and a possible source j.

    The receiver i is at risk exactly as in :func:`monadic_riskset` (same options, same
    exclusions); j is any other unit existing at t (``conditional=False``, Volden
    2006) or only those that had adopted before t, ``A_j,t-1 = 1``
    (``conditional=True``, Boehmke 2009's "opportunity to emulate" risk set, the
    default). In the conditional design a unit at risk only while no other unit had
    adopted (a first adopter) has no row; ``rs.exclusions`` counts such units. ``adopt`` is "i adopts at t"; ``adopt_after_source`` is "i adopts at t
    and j had adopted before t" (Volden's outcome for a binary policy).

    Monadic terms (neighbours, national share, ...) are computed on the unit-period
    rows and copied to each dyad; dyadic terms (``relation_count``,
    ``attribute_difference``, ...) use the pair.

    Parameters
    ----------
    study, policy, policies, terms, start, first_period_adopters, late_entry, unit_attributes
        As in :func:`monadic_riskset`.
    not_before
        As in :func:`monadic_riskset`: no policy's risk starts before this period.
    conditional
        True: only sources that had adopted before t. False: every other existing unit.
    lazy
        True returns a lazy plan (use ``rs.sink_parquet_dataset(folder)`` for large
        pooled designs); False computes the rows.
    sort
        Sort the rows by policy, unit, period and source. The default (None) sorts
        rows computed in memory (``lazy=False``) and leaves a lazy plan unsorted, so
        that it streams: sorting a batch holds all of its rows in memory (a 3,100-unit
        county study's conditional design, 63 million rows, took 4.1 GB sorted and
        0.5 GB unsorted; its full design, 644 million rows, streams to Parquet within
        0.75 GB; ``benchmarks/bench_dyad_stream.py``). No estimator needs the order:
        cluster and dyadic score sums group rows by their codes.
    sample_nonevents, seed
        Keep every event (``adopt == 1``) and a share ``sample_nonevents`` of the
        non-event dyads, stratified by policy and period and drawn with ``seed``
        (King & Zeng 2001); adds ``sample_weight`` (1 for events, 1/share for
        non-events). Fit with ``rare_events={"tau": population_share}`` (prior
        correction) or ``weights="sample_weight"`` and a robust variance. Each
        unit-period event repeats once per source, so a dyadic logit is rarely
        correctly specified; the weighted fit then targets the full-data estimate and
        the unweighted one may not (benchmarks/bench_county_sampled_results.txt).
    sample_method
        ``"systematic"`` (default): within each stratum the non-events are ranked in a
        seeded random order and kept by systematic sampling, so a stratum keeps
        ``floor`` or ``ceil`` of the share times its non-events; the ranking holds a
        policy batch in memory. ``"bernoulli"``: each non-event is kept on its own,
        with the same probability, by a seeded hash of (policy, unit, source, period),
        so the build streams (bounded memory: write large ones with ``lazy=True`` and
        ``sink_parquet_dataset``; 2,000 counties' conditional dyads at 10% peaked at
        0.42 GB against 1.95 GB systematic, benchmarks/bench_county_sampled_results.txt);
        a stratum keeps a binomial number of non-events, and the dyads drawn differ
        from the systematic ones.
    engine, scheduler, partition_periods, output, progress
        As in :func:`monadic_riskset`: ``engine="dask"`` builds each (policy, block
        of periods) in its own Dask task (never a Dask merge of all pairs).

    Returns
    -------
    RiskSet
        Columns ``policy, unit, source, period, duration, adopt, adopt_after_source,
        source_adopted`` (flags Int8, periods Int32), then attributes and term columns,
        sorted by policy, unit, period and source (unless ``sort`` is off: then the
        same rows in an order that may differ from run to run).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> s = load_study(pd.DataFrame({"policy": ["p"] * 2, "unit": ["A", "B"],
    ...                              "time": [2001, 2003]}),
    ...                units=pd.DataFrame({"unit": ["A", "B", "C"]}), end=2003)
    >>> rs = dyadic_riskset(s, policy="p")
    >>> rs.data.select("unit", "source", "period", "adopt_after_source").rows()
    [('B', 'A', 2002, 0), ('B', 'A', 2003, 1), ('C', 'A', 2002, 0), ('C', 'A', 2003, 0)]
    """
    if not isinstance(conditional, bool):
        raise InvalidOptionError(f"conditional must be True or False; got {conditional!r}.")
    if sort is not None and not isinstance(sort, bool):
        raise InvalidOptionError(f"sort must be True, False or None (sort unless lazy); "
                                 f"got {sort!r}.")
    # a lazy plan or a Dask partition is written by streaming, which a sort would hold
    ordered = not (lazy or engine == "dask") if sort is None else sort
    check_sampling(sample_nonevents, seed, sample_method)
    on_dask = DaskBuild.parse(engine, scheduler=scheduler, partition_periods=partition_periods,
                              output=output, progress=progress)
    su = setup(study, policy, policies, design="dyadic", terms=terms, start=start,
               first_period_adopters=first_period_adopters, late_entry=late_entry,
               unit_attributes=unit_attributes, not_before=not_before)
    mono_terms = [t for t in su.terms if t.design != "dyadic"]
    dyad_terms = [t for t in su.terms if t.design == "dyadic"]

    def builder(batch: Sequence[str]) -> pl.LazyFrame:
        mono = su.unit_period_plan(batch, mono_terms)
        period = pl.col("period")
        cond = ((pl.col("source") != pl.col("unit")) & (pl.col("_src_entry") <= period)
                & (pl.col("_src_exit") >= period))
        if conditional:
            cond = cond & (pl.col("_src_T") < period)
        src_adopted = (pl.col("_src_T") < period).fill_null(False)
        dctx = su.context(batch, "dyadic")
        dy = (mono.join(_sources(dctx, conditional), on="policy").filter(cond)
              .with_columns((pl.col("adopt") * src_adopted.cast(pl.Int8)).cast(pl.Int8)
                            .alias("adopt_after_source"),
                            src_adopted.cast(pl.Int8).alias("source_adopted"))
              .drop("_src_entry", "_src_exit"))
        dy = apply_terms(dy, dctx, dyad_terms)
        rest = [c for c in dy.collect_schema().names()
                if c not in KEY_ORDER and c not in INTERNAL and c != "_src_T"]
        dy = dy.select(*KEY_ORDER, *rest)
        if sample_nonevents is not None:
            dy = _sample(dy, sample_nonevents, seed=seed, method=sample_method)
        return dy.sort("policy", "unit", "period", "source") if ordered else dy

    base = {k: (BASE_META.get(k) or DYAD_META[k]) for k in KEY_ORDER}
    base["unit"] = {"description": "unit at risk (i, the possible emulator)", "lag": None}
    options = {**su.options, "conditional": conditional, "sort": ordered}
    meta = su.meta(base, "dyadic")
    if sample_nonevents is not None:
        options.update(sample_nonevents=sample_nonevents, seed=seed, sample_method=sample_method)
        meta[WEIGHT] = {"description": "1 for events, 1/share for sampled non-events "
                                       f"(non-events sampled at {sample_nonevents:g})",
                        "lag": None}
    exclusions = _without_sources(su) if conditional else su.exclusions
    rs = RiskSet(design="dyadic", plan=builder(su.chosen), exclusions=exclusions,
                 column_meta=meta, options=options, policies=su.chosen,
                 _builder=builder)
    if on_dask is not None:
        return on_dask.build(rs, su.spells)
    return rs if lazy else rs.collect()
