"""Fits on Dask: each pass's sums are tasks over partitions, reduced on the client.

The data are cut into partitions of ``chunk_rows`` rows, prepared once on the
workers (complete cases, model matrix, cluster codes) and kept in worker memory.
Every pass then maps one task per partition, which returns the partition's sums
(log-likelihood, score, information, HC meat) and, for clustered variances, its
score rows summed by distinct tuple of cluster codes; the client adds the sums and
feeds the grouped scores to the same meat plan the local engine uses. Sums are
linear, so the numbers equal the local engine's up to the order of additions.
Dask retries a task whose worker is lost; the result does not change.

Needs the ``dask`` extra: ``pip install "policydiffusion[dask]"``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any, Iterator, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError, require
from policydiffusion.estimate._data import as_source
from policydiffusion.estimate._design import Prepared
from policydiffusion.estimate._glm import Engine, PassStats
from policydiffusion.estimate._vcov import VcovSpec

__all__ = ["DaskEngine", "dask_client"]

_ADD = ("n", "n_dropped", "loglik", "n_extreme", "n_boundary", "wsum", "ysum", "grad", "info", "meat_hc",
        "xsum", "xsq")


def dask_client(scheduler: str | None = None):
    """The Dask client to use: ``scheduler``'s, else the current one, else a new
    LocalCluster's."""
    distributed = require("distributed", feature="engine='dask'", extra="dask",
                          package="dask[distributed]")
    Client, get_client = distributed.Client, distributed.get_client
    if scheduler is not None:
        try:
            return Client(scheduler, timeout="3s")
        except (OSError, TimeoutError) as exc:
            raise InvalidOptionError(
                f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from exc
    try:
        return get_client()
    except ValueError:
        from distributed import LocalCluster

        return Client(LocalCluster(processes=False))


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


def _prepare(frame, design, weights, codes, class_weights) -> Prepared:
    prep = design.prepare(frame, weights=weights, clusters=codes)
    if class_weights is not None:
        cw = np.where(prep.y == 1, class_weights[1], class_weights[0])
        prep.w = cw if prep.w is None else prep.w * cw
    return prep


def _part_pass(prep: Prepared, template: _PartEngine, beta, link, meat, first) -> PassStats | None:
    if prep.n == 0:
        return PassStats(beta=beta, n_dropped=prep.n_dropped)
    return replace(template, _cache=[prep]).run_pass(beta, link, meat=meat, first=first)


@dataclass
class DaskEngine(Engine):
    """An :class:`Engine` whose passes run as Dask tasks over prepared partitions."""

    scheduler: str | None = None
    _client: Any = field(default=None, repr=False)
    _parts: list | None = field(default=None, repr=False)
    _parts_key: Any = field(default=None, repr=False)

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

    def _partitions(self) -> list:
        key = (self.class_weights, tuple(self.cluster_levels), self.weights)
        if self._parts is None or self._parts_key != key:
            self._parts_key = key
            cols = [self.design.response, *self.design.variables]
            if self.weights:
                cols.append(self.weights)
            cols += list(self.cluster_levels)
            frames = self.client.scatter(list(self.source.chunks(
                list(dict.fromkeys(cols)), chunk_rows=self.chunk_rows,
                encode={**self.design.levels, **self.cluster_levels})))
            self._parts = self.client.map(
                _prepare, frames, design=self.design, weights=self.weights,
                codes=self.cluster_levels, class_weights=self.class_weights)
        return self._parts

    def prepared(self) -> Iterator[Prepared]:
        """The prepared partitions, fetched from the workers (small data only)."""
        yield from self.client.gather(self._partitions())

    def release(self) -> None:
        self._parts = None

    def with_clusters(self, cluster_columns: Sequence[str], dyadic: bool) -> "DaskEngine":
        base = Engine.with_clusters(self, cluster_columns, dyadic)
        return replace(self, cluster_levels=base.cluster_levels, _parts=None)

    def run_pass(self, beta: np.ndarray, link: str, *, meat: VcovSpec | None = None,
                 first: bool = False) -> PassStats:
        """One pass as one task per partition; the sums are added on the client."""
        template = self.client.scatter(self._template(), broadcast=True, hash=False)
        futures = self.client.map(_part_pass, self._partitions(), template=template,
                                  beta=beta, link=link, meat=meat, first=first, pure=False)
        parts = self.client.gather(futures)
        st = PassStats(beta=beta)
        for part in parts:
            for name in _ADD:
                v = getattr(part, name)
                if v is not None:
                    cur = getattr(st, name)
                    setattr(st, name, v if cur is None else cur + v)
        if st.n == 0:
            raise InvalidOptionError(
                f"no complete rows to fit {self.design.formula!r}: all "
                f"{st.n_dropped} rows have a missing value in a model variable.")
        if meat is not None and meat.is_clustered:
            st.plan = self.meat_plan(meat, self.design.k)
            for part in parts:
                if part.plan is not None:
                    for codes, sums in zip(part.plan.codes, part.plan.sums):
                        st.plan.add([codes[:, i] for i in range(codes.shape[1])], sums)
        return st
