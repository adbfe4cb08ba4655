"""Cascades: who adopted when, per policy, as netinf reads them.

A cascade is one policy (or one news item, one rumour): the nodes that experienced the
event and their event times, sorted by time. Nodes that never adopt are part of the
node set (``node_names``) but of no cascade.

Two orderings are offered because the R package NetworkInference 1.2.5 makes results
depend on the order of the input rows:

``order="sorted"`` (default)
    node names sorted, cascades sorted by id (as text), events with equal times sorted by
    node; results do not depend on the row order of the input.
``order="input"``
    the package's convention: node names in order of first appearance, cascades sorted
    by id as text (what R's ``split`` does in the C locale), equal times kept in input
    row order. Use it (or pass ``node_names``) to reproduce a package run exactly: the
    package breaks ties between equal gains by the integer node ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, Sequence

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion.errors import InvalidOptionError, Problem, StudyDataError, check_choice
from policydiffusion.study._read import TableLike, read_table, require_columns

__all__ = ["Cascades", "cascades_from_table", "cascades_from_wide", "cascades_from_study"]

Order = Literal["sorted", "input"]
ORDERS = ("sorted", "input")


@dataclass(frozen=True)
class Cascades:
    """A set of cascades over a fixed node set.

    Attributes
    ----------
    node_names : tuple of str
        Every node, adopters and non-adopters; the position is the node's integer id.
    cascade_ids : tuple of str
        One id per cascade.
    nodes : tuple of numpy.ndarray
        Per cascade, the integer node ids in event order.
    times : tuple of numpy.ndarray
        Per cascade, the event times (float) matching ``nodes``; non-decreasing.
    source : str
        Where the cascades came from (for provenance).

    Examples
    --------
    >>> import pandas as pd
    >>> c = cascades_from_table(pd.DataFrame({"cascade_id": ["a", "a", "b"],
    ...                                       "node": ["x", "y", "y"], "time": [1, 2, 5]}))
    >>> c.node_names, c.n_cascades, c.n_events
    (('x', 'y'), 2, 3)
    """

    node_names: tuple[str, ...]
    cascade_ids: tuple[str, ...]
    nodes: tuple[np.ndarray, ...]
    times: tuple[np.ndarray, ...]
    source: str = "table"
    meta: dict = field(default_factory=dict, compare=False)

    @property
    def n_nodes(self) -> int:
        return len(self.node_names)

    @property
    def n_cascades(self) -> int:
        return len(self.cascade_ids)

    @property
    def n_events(self) -> int:
        return int(sum(len(n) for n in self.nodes))

    def to_frame(self) -> pd.DataFrame:
        """Long table: cascade_id, node, time (in cascade and event order)."""
        rows = [(cid, self.node_names[n], float(t))
                for cid, ns, ts in zip(self.cascade_ids, self.nodes, self.times)
                for n, t in zip(ns, ts)]
        return pd.DataFrame(rows, columns=["cascade_id", "node", "time"])

    def subset(self, index: Sequence[int]) -> "Cascades":
        """Cascades at positions ``index`` (repeats allowed, as in a bootstrap)."""
        idx = [int(i) for i in index]
        return replace(self, cascade_ids=tuple(self.cascade_ids[i] for i in idx),
                       nodes=tuple(self.nodes[i] for i in idx),
                       times=tuple(self.times[i] for i in idx))

    def with_times(self, times: Sequence[np.ndarray], *, order: Order = "sorted") -> "Cascades":
        """The same events with new times, re-sorted within each cascade."""
        nodes, new_times = [], []
        for ns, ts in zip(self.nodes, times):
            ts = np.asarray(ts, dtype=float)
            key = np.lexsort((ns, ts)) if order == "sorted" else np.argsort(ts, kind="stable")
            nodes.append(ns[key])
            new_times.append(ts[key])
        return replace(self, nodes=tuple(nodes), times=tuple(new_times))

    def __repr__(self) -> str:
        return (f"Cascades({self.n_cascades} cascades, {self.n_nodes} nodes, "
                f"{self.n_events} events)")


def _as_numeric_times(values: pd.Series, column: str, label: str) -> np.ndarray:
    if pd.api.types.is_datetime64_any_dtype(values):
        # as the package does with as.numeric() on Dates: days since 1970-01-01
        return ((values - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)).to_numpy(float)
    num = pd.to_numeric(values, errors="coerce")
    bad = np.flatnonzero(num.isna().to_numpy() & values.notna().to_numpy())
    if len(bad):
        raise StudyDataError([Problem(label, int(i), column, values.iloc[i],
                                      "not a number; event times must be numeric")
                              for i in bad])
    return num.to_numpy(float)


def _build(cascade: np.ndarray, node: np.ndarray, time: np.ndarray, *, node_names, order: Order,
           rows: np.ndarray, label: str, source: str) -> Cascades:
    check_choice("order", order, ORDERS)
    if node_names is None:
        uniq = list(dict.fromkeys(node.tolist()))
        names = tuple(sorted(uniq) if order == "sorted" else uniq)
    else:
        names = tuple(str(n) for n in node_names)
        if len(set(names)) != len(names):
            raise InvalidOptionError("node_names has duplicates; give each node once.")
    index = {n: i for i, n in enumerate(names)}
    unknown = sorted(set(node.tolist()) - set(index))
    if unknown:
        raise InvalidOptionError(
            f"{len(unknown)} node(s) in the cascades are not in node_names, e.g. "
            f"{unknown[:5]}; pass the full list of node names.")
    node_id = np.array([index[n] for n in node.tolist()], dtype=np.int64)
    frame = pd.DataFrame({"c": cascade, "n": node_id, "t": time, "r": rows})
    dup = frame.duplicated(["c", "n"], keep=False)
    if dup.any():
        raise StudyDataError([
            Problem(label, int(r.r), None, f"{r.c} / {names[r.n]}",
                    "node appears more than once in this cascade; keep its first event")
            for r in frame[dup].itertuples()])
    ids = sorted(set(cascade.tolist()))
    groups = {cid: g for cid, g in frame.groupby("c", sort=False)}
    nodes, times = [], []
    for cid in ids:
        g = groups[cid]
        t = g["t"].to_numpy(float)
        n = g["n"].to_numpy(np.int64)
        key = np.lexsort((n, t)) if order == "sorted" else np.argsort(t, kind="stable")
        nodes.append(n[key])
        times.append(t[key])
    return Cascades(node_names=names, cascade_ids=tuple(ids), nodes=tuple(nodes),
                    times=tuple(times), source=source, meta={"order": order})


def cascades_from_table(
    data: TableLike,
    *,
    cascade_col: str = "cascade_id",
    node_col: str = "node",
    time_col: str = "time",
    node_names: Sequence[str] | None = None,
    order: Order = "sorted",
    encoding: str | None = None,
) -> Cascades:
    """Cascades from a long table with one row per event.

    Parameters
    ----------
    data : pandas or polars DataFrame, or a path (CSV, Parquet, Excel, Stata)
        One row per (cascade, node) event.
    cascade_col, node_col, time_col : str
        Column names. Ids are read as text; times must be numeric or dates (dates
        become days since 1970-01-01, as the R package does).
    node_names : sequence of str, optional
        The full node set, including nodes that never experience an event. Its order
        fixes the integer node ids. Default: the nodes seen in ``data``.
    order : {"sorted", "input"}
        How node ids and equal-time events are ordered (module docstring).
    encoding : str, optional
        Text encoding of a CSV ``data`` file (default UTF-8; e.g. ``"gb18030"``).

    Returns
    -------
    Cascades

    Raises
    ------
    StudyDataError
        Missing ids or times, non-numeric times or a node twice in one cascade; every
        problem is listed with its row.

    Examples
    --------
    >>> from policydiffusion.datasets import load_dataset
    >>> c = cascades_from_table(load_dataset("spid_adoptions"), cascade_col="policy",
    ...                         node_col="state", time_col="adoption_year")
    >>> c
    Cascades(728 cascades, 50 nodes, 17835 events)
    """
    table = read_table(data, argument="cascades", encoding=encoding)
    require_columns(table, {"cascade": cascade_col, "node": node_col, "time": time_col})
    frame = table.frame
    problems = []
    for col in (cascade_col, node_col, time_col):
        for pos in np.flatnonzero(frame[col].isna().to_numpy()):
            problems.append(Problem(table.label, table.row_of(pos), col, None,
                                    "missing value; fill it or remove the row"))
    if problems:
        raise StudyDataError(problems)
    time = _as_numeric_times(frame[time_col], time_col, table.label)
    rows = np.array([table.row_of(i) for i in range(len(frame))])
    return _build(_text(frame[cascade_col]), _text(frame[node_col]), time,
                  node_names=node_names, order=order, rows=rows, label=table.label,
                  source=table.label)


def _text(s: pd.Series) -> np.ndarray:
    def one(v: object) -> str:
        if isinstance(v, (float, np.floating)) and float(v).is_integer():
            return str(int(v))
        return str(v).strip()
    return np.array([one(v) for v in s.tolist()], dtype=object)


def cascades_from_wide(
    data: pd.DataFrame | np.ndarray,
    *,
    node_names: Sequence[str] | None = None,
    cascade_ids: Sequence[str] | None = None,
    order: Order = "sorted",
) -> Cascades:
    """Cascades from a wide node x cascade matrix of event times (NaN: no event).

    Rows are nodes (a row with no event at all is still a node), columns cascades.
    Names come from the DataFrame's index and columns unless given. With
    ``order="input"`` cascades keep the column order and equal times keep the row
    order, as the package's ``as_cascade_wide`` does.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> m = pd.DataFrame({"p1": [1.0, 2.0, np.nan], "p2": [3.0, np.nan, 1.0]},
    ...                  index=["a", "b", "c"])
    >>> c = cascades_from_wide(m)
    >>> c.node_names, c.cascade_ids
    (('a', 'b', 'c'), ('p1', 'p2'))
    """
    if isinstance(data, pd.DataFrame):
        mat = data.apply(pd.to_numeric, errors="coerce").to_numpy(float)
        rows = [str(i) for i in data.index] if node_names is None else list(node_names)
        cols = [str(c) for c in data.columns] if cascade_ids is None else list(cascade_ids)
    else:
        mat = np.asarray(data, dtype=float)
        rows = [str(i) for i in range(mat.shape[0])] if node_names is None else list(node_names)
        cols = [str(i) for i in range(mat.shape[1])] if cascade_ids is None else list(cascade_ids)
    if mat.ndim != 2 or len(rows) != mat.shape[0] or len(cols) != mat.shape[1]:
        raise InvalidOptionError("wide cascades need a 2-D node x cascade matrix with one name "
                                 "per row (node) and per column (cascade).")
    r, c = np.nonzero(~np.isnan(mat))
    keep = np.lexsort((r, c))  # column-major: cascade by cascade, rows in order
    r, c = r[keep], c[keep]
    names = rows if order == "input" or node_names is not None else sorted(rows)
    out = _build(np.array([cols[j] for j in c], dtype=object), np.array([rows[i] for i in r], dtype=object),
                 mat[r, c], node_names=names, order=order, rows=r, label="wide matrix",
                 source="wide matrix")
    if order == "input":
        pos = {cid: k for k, cid in enumerate(out.cascade_ids)}
        out = out.subset([pos[cid] for cid in dict.fromkeys(cols) if cid in pos])
    return out


def cascades_from_study(study, policies: Sequence[str] | None = None) -> Cascades:
    """Cascades from a :class:`~policydiffusion.study.Study`: policy = cascade.

    Every unit of the study is a node (units that never adopt included); the time is
    the adoption period. Cascades follow the study's policy order, nodes its unit
    order, and equal periods are ordered by unit.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> c = cascades_from_study(spid_study(policies=["aboldeapen", "aborparc"]))
    >>> c.n_nodes, c.cascade_ids
    (50, ('aboldeapen', 'aborparc'))
    """
    pols = list(study.policy_ids if policies is None else policies)
    names = tuple(study.unit_ids)
    index = {u: i for i, u in enumerate(names)}
    adopt = study.adoptions.filter(pl.col("policy").is_in(pols)).select("policy", "unit", "period")
    groups = {p: g for (p,), g in adopt.group_by(["policy"])} if adopt.height else {}
    nodes, times, ids = [], [], []
    for p in pols:
        if p not in study.policy_ids:
            study.policy_window(p)  # raises with the list of known policies
        g = groups.get(p)
        if g is None or g.height == 0:
            continue
        n = np.array([index[u] for u in g.get_column("unit").to_list()], dtype=np.int64)
        t = g.get_column("period").to_numpy().astype(float)
        key = np.lexsort((n, t))
        nodes.append(n[key])
        times.append(t[key])
        ids.append(p)
    return Cascades(node_names=names, cascade_ids=tuple(ids), nodes=tuple(nodes),
                    times=tuple(times), source="study", meta={"order": "sorted"})
