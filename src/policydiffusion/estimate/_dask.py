"""Fits on Dask: each pass's sums are tasks over partitions, reduced on the client.

The data are cut into partitions (a run of row groups of a Parquet file, about
``chunk_rows`` rows, read by a worker; a partition of a risk set built on Dask; or
``chunk_rows`` rows scattered from the client), prepared
once on the workers (complete cases, model matrix, cluster codes) and kept in
worker memory.
Every pass then maps one task per partition, which returns the partition's sums
(log-likelihood, score, information, HC meat) and, for clustered variances, its
score rows summed by distinct tuple of cluster codes; the client adds the sums and
feeds the grouped scores to the same meat plan the local engine uses. The pass
that collects the outcome's, factors' and clusters' levels before the fit runs as
tasks too (for Parquet files and Dask-built risk sets). Sums are
linear, so the numbers equal the local engine's up to the order of additions.
Dask retries a task whose worker is lost; the result does not change.

Needs the ``dask`` extra: ``pip install "policydiffusion[dask]"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from functools import partial
from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd

from policydiffusion._dask import dask_client, report_progress
from policydiffusion.estimate._data import _arrow_frame, _sorted, as_source
from policydiffusion.estimate._design import Prepared
from policydiffusion.estimate._glm import Engine, PassStats, _dyadic_levels, _levels_and_ybar
from policydiffusion.estimate._vcov import VcovSpec

__all__ = ["DaskEngine", "dask_client"]  # dask_client: kept importable from here

_ADD = ("n", "n_dropped", "loglik", "n_extreme", "n_boundary", "wsum", "ysum", "grad", "info", "meat_hc",
        "xsum", "xsq")


class _GroupedScores:
    """Stands in for a meat plan on a worker: score rows summed by cluster-code tuple."""

    def __init__(self) -> None:
        self.codes: list[np.ndarray] = []
        self.sums: list[np.ndarray] = []

    def add(self, codes: Sequence[np.ndarray], S: np.ndarray) -> None:
        if S.shape[0] == 0:
            return
        key = np.stack([np.asarray(c, dtype=np.int64) for c in codes], axis=1)
        uniq, inv = np.unique(key, axis=0, return_inverse=True)
        inv = inv.ravel()
        self.codes.append(uniq)
        self.sums.append(np.column_stack([np.bincount(inv, weights=S[:, j],
                                                      minlength=len(uniq))
                                          for j in range(S.shape[1])]))


@dataclass
class _PartEngine(Engine):
    """One prepared partition on a worker."""

    def meat_plan(self, meat: VcovSpec, k: int) -> _GroupedScores:  # type: ignore[override]
        return _GroupedScores()


def _prepare(frames, design, weights, codes, class_weights) -> list[Prepared]:
    """The complete-case blocks of one partition (a list of pandas frames)."""
    out = []
    for frame in frames:
        prep = design.prepare(frame, weights=weights, clusters=codes)
        if class_weights is not None:
            cw = np.where(prep.y == 1, class_weights[1], class_weights[0])
            prep.w = cw if prep.w is None else prep.w * cw
        out.append(prep)
    return out


@dataclass(frozen=True)
class _RowGroups:
    """Consecutive row groups of one Parquet file: what one task reads, on its worker."""

    path: str
    groups: tuple[int, ...]

    def chunks(self, columns: Sequence[str], *, chunk_rows: int,
               encode=None) -> Iterator[pd.DataFrame]:
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(self.path)
        for batch in pf.iter_batches(batch_size=chunk_rows, row_groups=list(self.groups),
                                     columns=list(columns)):
            yield _arrow_frame(batch, encode)


def _row_group_parts(paths: Sequence[str], chunk_rows: int) -> list[_RowGroups]:
    """Each file cut into runs of row groups of about ``chunk_rows`` rows (at least one
    group each), so that one large file still spreads over the workers."""
    import pyarrow.parquet as pq

    parts = []
    for path in paths:
        meta = pq.ParquetFile(path).metadata  # the footer only
        run: list[int] = []
        rows = 0
        for g in range(meta.num_row_groups):
            run.append(g)
            rows += meta.row_group(g).num_rows
            if rows >= chunk_rows:
                parts.append(_RowGroups(path, tuple(run)))
                run, rows = [], 0
        if run or not parts or parts[-1].path != path:
            parts.append(_RowGroups(path, tuple(run)))
    return parts


def _parts_of(source, chunk_rows: int) -> list | None:
    """What each task reads: runs of row groups of the Parquet files, or the futures of
    a Dask-built risk set's partitions; None when the rows are on the client."""
    if source.kind == "parquet":
        source.check_unchanged()
        return _row_group_parts(source.obj, chunk_rows)
    if source.kind == "dask":
        return list(source.obj.partition_futures())
    return None


def _reader(part):
    return part if isinstance(part, _RowGroups) else as_source(part)


def _read_part(part, columns: list[str], chunk_rows: int, encode) -> list[pd.DataFrame]:
    """A partition (row groups of a Parquet file, read by the worker, or a pandas frame)
    in blocks of ``chunk_rows`` rows."""
    return list(_reader(part).chunks(columns, chunk_rows=chunk_rows, encode=encode))


def _levels_part(part, response: str, scan: list[str], chunk_rows: int):
    return _levels_and_ybar(_reader(part), response, scan, chunk_rows)


def levels_on_dask(client, source, response: str, scan: Sequence[str], chunk_rows: int
                   ) -> tuple[dict[str, np.ndarray], float, int]:
    """The levels pass of :meth:`Engine.setup` as one task per partition, merged here."""
    parts = _parts_of(source, chunk_rows)
    if parts is None:
        return _levels_and_ybar(source, response, scan, chunk_rows)
    found = client.gather(client.map(_levels_part, parts, response=response, scan=list(scan),
                                     chunk_rows=chunk_rows, pure=False))
    levels = {c: _sorted(set().union(*(f[0][c].tolist() for f in found))) for c in scan}
    return levels, sum(f[1] for f in found), sum(f[2] for f in found)


def _part_pass(preps: list[Prepared], template: _PartEngine, beta, link, meat,
               first) -> PassStats:
    empty = sum(p.n_dropped for p in preps if p.n == 0)
    preps = [p for p in preps if p.n > 0]
    if not preps:  # the local engine's run_pass refuses a pass without rows
        return PassStats(beta=beta, n_dropped=empty)
    st = replace(template, _cache=preps).run_pass(beta, link, meat=meat, first=first)
    st.n_dropped += empty
    return st


@dataclass
class DaskEngine(Engine):
    """An :class:`Engine` whose passes run as Dask tasks over prepared partitions.

    Parquet files are read by the workers themselves (one task per run of row groups
    of about ``chunk_rows`` rows, so the files must be on storage the workers see); the partitions of a risk set built
    on Dask in worker memory are prepared where they are; other data are cut into
    ``chunk_rows`` blocks on the client and scattered.
    """

    scheduler: str | None = None
    progress: bool = False
    _client: Any = field(default=None, repr=False)
    _parts: list | None = field(default=None, repr=False)
    _parts_key: Any = field(default=None, repr=False)
    _template_f: Any = field(default=None, repr=False)
    _passes: int = field(default=0, repr=False)

    @property
    def client(self):
        if self._client is None:
            self._client = dask_client(self.scheduler)
        return self._client

    def _template(self) -> _PartEngine:
        empty = as_source(pd.DataFrame())  # a worker's engine reads only its partition
        kw = {f.name: getattr(self, f.name) for f in fields(Engine)
              if f.init and f.name not in ("source", "_cache", "_cache_ok")}
        return _PartEngine(source=empty, **kw)

    @classmethod
    def on_dask(cls, source, formula: str, *, scheduler: str | None, progress: bool,
                **setup: Any) -> "DaskEngine":
        """:meth:`Engine.setup` with its levels pass run as tasks, then the Dask engine."""
        client = dask_client(scheduler)
        eng = Engine.setup(source, formula, levels_pass=partial(levels_on_dask, client),
                           **setup)
        return cls(**{f.name: getattr(eng, f.name) for f in fields(Engine)
                      if f.init and not f.name.startswith("_")}, scheduler=scheduler,
                   progress=progress, _client=client)

    def _frames(self, cols: list[str]) -> list:
        """Futures of each partition's raw blocks (lists of pandas frames)."""
        encode = {**self.design.levels, **self.cluster_levels}
        parts = _parts_of(self.source, self.chunk_rows)
        if parts is not None:  # read or prepared where the partitions are
            return self.client.map(_read_part, parts, columns=cols, chunk_rows=self.chunk_rows,
                                   encode=encode, pure=False)
        return self.client.scatter([[f] for f in self.source.chunks(
            cols, chunk_rows=self.chunk_rows, encode=encode)])

    def _partitions(self) -> list:
        key = (self.class_weights, tuple(self.cluster_levels), self.weights)
        if self._parts is None or self._parts_key != key:
            self._parts_key = key
            frames = self._frames(self.sample_columns)
            self._parts = self.client.map(
                _prepare, frames, design=self.design, weights=self.weights,
                codes=self.cluster_levels, class_weights=self.class_weights, pure=False)
            # every pass's tasks share one copy of the engine's settings on each worker
            self._template_f = self.client.scatter(self._template(), broadcast=True,
                                                   hash=False)
        return self._parts

    def prepared(self) -> Iterator[Prepared]:
        """The prepared partitions, fetched from the workers (small data only)."""
        for preps in self.client.gather(self._partitions()):
            yield from preps

    def release(self) -> None:
        self._parts = self._template_f = None

    def with_clusters(self, cluster_columns: Sequence[str], dyadic: bool) -> "DaskEngine":
        levels = levels_on_dask(self.client, self.source, self.design.response,
                                list(cluster_columns), self.chunk_rows)[0]
        if dyadic:
            levels = _dyadic_levels(levels, cluster_columns)
        return replace(self, cluster_levels=levels, _parts=None, _template_f=None)

    def run_pass(self, beta: np.ndarray, link: str, *, meat: VcovSpec | None = None,
                 first: bool = False) -> PassStats:
        """One pass as one task per partition; the sums are added on the client."""
        parts_f = self._partitions()
        futures = self.client.map(_part_pass, parts_f, template=self._template_f,
                                  beta=beta, link=link, meat=meat, first=first, pure=False)
        self._passes += 1
        report_progress(futures, f"pass {self._passes}", enabled=self.progress)
        parts = self.client.gather(futures)
        st = PassStats(beta=beta)
        for part in parts:
            for name in _ADD:
                v = getattr(part, name)
                if v is not None:
                    cur = getattr(st, name)
                    setattr(st, name, v if cur is None else cur + v)
        self.check_rows(st)
        if meat is not None and meat.is_clustered:
            st.plan = self.meat_plan(meat, self.design.k)
            for part in parts:
                if part.plan is not None:
                    for codes, sums in zip(part.plan.codes, part.plan.sums):
                        st.plan.add([codes[:, i] for i in range(codes.shape[1])], sums)
        return st
