"""Risk sets built on Dask: one task per (policy, block of periods).

Each task runs the local polars builder for one policy and keeps the rows of a
block of periods, so a worker never holds more than one partition and no Dask
merge of all pairs is ever planned (that would run the workers out of memory).
The period filter is applied to the builder's finished rows, after every term, so
lagged terms see the periods before the block exactly as in a local build. The
spells and the exclusions (one row per policy and unit, small) are computed once
on the client by the same setup as a local build, so the counts of excluded units
are the local ones. The rows go to a Parquet folder (``output=``, one file per
partition, e.g. on a cluster's shared scratch) or stay in worker memory as a
``dask.dataframe``.

Needs the ``dask`` extra: ``pip install "policydiffusion[dask]"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import pandas as pd
import polars as pl

from policydiffusion._display import TextSummary
from policydiffusion._dask import dask_client, report_progress
from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.riskset._riskset import (RiskSet, exclusion_lines, parquet_folder,
                                              streaming_settings)

__all__ = ["DaskRiskSet", "DaskBuild", "dask_build"]


@dataclass(frozen=True)
class DaskBuild:
    """The Dask options of a risk-set build (``engine="dask"``), checked before any work."""

    scheduler: str | None = None
    partition_periods: int | None = None
    output: str | Path | None = None
    progress: bool = False

    @classmethod
    def parse(cls, engine: str, *, scheduler: str | None, partition_periods: int | None,
              output: str | Path | None, progress: bool) -> "DaskBuild | None":
        """None for the local engine (where the Dask-only options must be left unset)."""
        check_choice("engine", engine, ("local", "dask"))
        if engine == "local":
            given = [n for n, v in (("scheduler", scheduler), ("partition_periods",
                                    partition_periods), ("output", output)) if v is not None]
            given += ["progress"] if progress is True else []
            if given:
                raise InvalidOptionError(f"{', '.join(given)} only appl"
                                         f"{'ies' if len(given) == 1 else 'y'} with "
                                         "engine='dask'.")
            return None
        if partition_periods is not None and (isinstance(partition_periods, bool) or not
                                              isinstance(partition_periods, int)
                                              or partition_periods < 1):
            raise InvalidOptionError(f"partition_periods must be a whole number >= 1; got "
                                     f"{partition_periods!r}.")
        if not isinstance(progress, bool):
            raise InvalidOptionError(f"progress must be True or False; got {progress!r}.")
        return cls(scheduler, partition_periods, output, progress)

    def build(self, rs: RiskSet, spells: pl.DataFrame) -> "DaskRiskSet":
        """Run the build of the lazy risk set ``rs`` as tasks (see :func:`dask_build`)."""
        return dask_build(rs, spells, scheduler=self.scheduler,
                          partition_periods=self.partition_periods, output=self.output,
                          progress=self.progress)


def partitions(spells: pl.DataFrame, policies: Sequence[str],
               partition_periods: int | None) -> list[tuple[str, int, int]]:
    """``(policy, first period, last period)`` of each partition, in policy order.

    A policy's periods run from its first unit's start of risk to its last unit's
    last period; a policy with no unit at risk has no partition (and no rows).

    Examples
    --------
    >>> sp = pl.DataFrame({"policy": ["p", "p", "q"], "_start": [2000, 2002, 2001],
    ...                    "_last": [2003, 2006, 2001]})
    >>> partitions(sp, ["p", "q"], 3)
    [('p', 2000, 2002), ('p', 2003, 2005), ('p', 2006, 2006), ('q', 2001, 2001)]
    """
    spans = {p: (lo, hi) for p, lo, hi in spells.group_by("policy").agg(
        pl.col("_start").min(), pl.col("_last").max()).rows()}
    out = []
    for p in policies:
        if p not in spans:
            continue
        lo, hi = (int(v) for v in spans[p])
        step = hi - lo + 1 if partition_periods is None else partition_periods
        out += [(p, a, min(a + step - 1, hi)) for a in range(lo, hi + 1, step)]
    return out


def _build_part(builder: Callable[[Sequence[str]], pl.LazyFrame], policy: str, lo: int,
                hi: int, target: str | None, design: str) -> Any:
    """One partition: the policy's finished rows, then the block's periods."""
    plan = builder([policy]).filter(pl.col("period").is_between(lo, hi))
    if target is None:
        return _pandas(plan.collect())
    with streaming_settings(design):
        plan.sink_parquet(target)
    return int(pl.scan_parquet(target).select(pl.len()).collect().item())


def _pandas(frame: pl.DataFrame) -> pd.DataFrame:
    """Rows kept in worker memory, Arrow-backed: numpy's dtypes would turn an integer
    column with nulls (a lag before the first period, a source that never adopted)
    into float64, so the rows would no longer be the local build's or the files'."""
    return frame.to_pandas(use_pyarrow_extension_array=True)


def dask_build(rs: RiskSet, spells: pl.DataFrame, *, scheduler: str | None = None,
               partition_periods: int | None = None, output: str | Path | None = None,
               progress: bool = False) -> "DaskRiskSet":
    """Build the lazy risk set ``rs`` as one Dask task per (policy, block of periods).

    ``rs`` must carry its builder (risk sets from :func:`monadic_riskset` and
    :func:`dyadic_riskset` do); ``spells`` gives each policy's periods. Use the
    builders' ``engine="dask"`` rather than calling this directly.
    """
    if rs._builder is None:
        raise InvalidOptionError("this risk set has no builder to run on Dask; build it with "
                                 "monadic_riskset(...) or dyadic_riskset(...).")
    client = dask_client(scheduler)
    parts = partitions(spells, rs.policies, partition_periods)
    table = pd.DataFrame(parts, columns=["policy", "first_period", "last_period"])
    options = {**rs.options, "engine": "dask", "partition_periods": partition_periods}
    schema = _schema(rs)
    done = dict(design=rs.design, exclusions=rs.exclusions, column_meta=rs.column_meta,
                options=options, policies=rs.policies, _schema=schema)
    # the builder holds the study and the spells: send it to each worker once, not per task
    builder = client.scatter(rs._builder, broadcast=True, hash=False)

    def run(targets: Sequence[str | None]) -> list:
        futures = [client.submit(_build_part, builder, p, lo, hi, t, rs.design, pure=False)
                   for (p, lo, hi), t in zip(parts, targets)]
        report_progress(futures, "building risk set", enabled=progress)
        return futures

    if output is not None:
        with parquet_folder(output, rs, options=options) as folder:
            # absolute paths, so that workers started elsewhere (Slurm jobs) find them
            names = [f"part-{i:05d}.parquet" for i in range(len(parts))]
            table["rows"] = client.gather(run([str((folder / n).resolve()) for n in names]))
        table["file"] = names
        return DaskRiskSet(partitions=table, folder=folder, **done)
    import dask.dataframe as dd

    from distributed import wait

    futures = run([None] * len(parts))
    wait(futures)
    frame = dd.from_delayed(futures, meta=_pandas(schema), verify_meta=False)
    table["rows"] = client.gather(client.map(len, futures, pure=False))
    return DaskRiskSet(partitions=table, frame=frame, _futures=tuple(futures), **done)


def _schema(rs: RiskSet) -> pl.DataFrame:
    """The risk set's columns and types as an empty frame (nothing is computed)."""
    return pl.DataFrame(schema=rs.plan.collect_schema())


@dataclass(frozen=True)
class DaskRiskSet:
    """A risk set built on Dask: in a Parquet folder, or in worker memory.

    Made by ``monadic_riskset(..., engine="dask")`` or ``dyadic_riskset(...,
    engine="dask")``. Fit it with ``fit_hazard(drs, formula, engine="dask")`` (the
    workers read their own partitions) or pass ``drs.folder`` anywhere a Parquet
    folder is accepted. Rows are grouped by partition (policy, block of periods);
    dyadic rows are not sorted within it (a sort would hold the partition in memory),
    so sort before comparing them with a local build.

    Attributes
    ----------
    design, exclusions, column_meta, options, policies
        As in :class:`RiskSet`; the exclusions equal a local build's.
    partitions : pandas.DataFrame
        ``policy, first_period, last_period, rows`` (and ``file`` in a folder).
    folder : pathlib.Path or None
        The Parquet folder (``output=``); None when the rows are in worker memory.
    frame : dask.dataframe.DataFrame or None
        The rows in worker memory (no ``output=``; Arrow-backed pandas columns, so
        the local build's types); None for a folder.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> from policydiffusion.riskset import monadic_riskset
    >>> s = load_study(pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"],
    ...                              "time": [2001, 2003]}), end=2004)
    >>> drs = monadic_riskset(s, policy="p", engine="dask",
    ...                       partition_periods=2)  # doctest: +SKIP
    >>> drs.partitions[["policy", "first_period", "rows"]].values.tolist()  # doctest: +SKIP
    [['p', 2001, 3], ['p', 2003, 1]]
    """

    design: str
    exclusions: pd.DataFrame = field(repr=False)
    column_meta: Mapping[str, dict] = field(repr=False)
    options: Mapping[str, object] = field(repr=False)
    policies: tuple[str, ...]
    partitions: pd.DataFrame = field(repr=False)
    folder: Path | None = None
    frame: Any = field(default=None, repr=False)
    _futures: tuple = field(default=(), repr=False, compare=False)
    _schema: pl.DataFrame = field(default_factory=pl.DataFrame, repr=False, compare=False)

    def n_rows(self) -> int:
        """Number of rows (counted by the tasks; nothing is read)."""
        return int(self.partitions["rows"].sum())

    @property
    def columns(self) -> list[str]:
        """Column names, in the local builder's order."""
        return list(self._schema.columns)

    def files(self) -> list[str]:
        """The Parquet files of a folder build, one per non-empty partition."""
        if self.folder is None:
            raise InvalidOptionError("this risk set is in worker memory; build it with "
                                     "output=folder for files.")
        return [str(self.folder / f) for f, n in zip(self.partitions["file"],
                                                      self.partitions["rows"]) if n > 0]

    def to_riskset(self) -> RiskSet:
        """A local :class:`RiskSet`: a lazy scan of the folder, or the rows gathered
        from the workers (small risk sets only)."""
        if self.folder is not None:
            files = self.files()
            plan = pl.scan_parquet(files) if files else self._schema.lazy()
            return RiskSet(self.design, plan, self.exclusions, self.column_meta, self.options,
                           self.policies)
        data = pl.concat([pl.from_pandas(p) for p in self.partition_frames()] or [self._schema],
                         how="vertical_relaxed")
        return RiskSet(self.design, data.lazy(), self.exclusions, self.column_meta,
                       self.options, self.policies, _collected=data)

    def partition_futures(self) -> tuple:
        """The Dask futures of the in-memory partitions, in partition order."""
        if self.folder is not None:
            raise InvalidOptionError("this risk set is in a Parquet folder, not in worker "
                                     "memory; read drs.files().")
        return self._futures

    def partition_frames(self) -> Iterable[pd.DataFrame]:
        """The in-memory partitions as pandas frames, fetched one at a time.

        Columns are Arrow-backed (``int32[pyarrow]``, ...): the local build's types,
        an integer column with nulls included (numpy's would make it float64)."""
        for f in self.partition_futures():
            yield f.result()

    def summary(self) -> TextSummary:
        """Design, policies, partitions, rows and exclusions (a ``str``; HTML in notebooks)."""
        where = f"Parquet folder {str(self.folder)!r}" if self.folder else "worker memory"
        lines = [f"Risk set ({self.design}, built on Dask): {len(self.policies)} "
                 f"polic{'y' if len(self.policies) == 1 else 'ies'}",
                 f"  partitions: {len(self.partitions):,} in {where}",
                 f"  rows: {self.n_rows():,}"]
        return TextSummary("\n".join(lines + exclusion_lines(self.exclusions)))
