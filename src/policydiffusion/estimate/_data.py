"""Data sources for the chunked estimators: frames, lazy frames, CSV and Parquet files.

Every estimator reads its data through :class:`DataSource`, which yields pandas
DataFrames of at most ``chunk_rows`` rows holding only the columns asked for. The
same code therefore fits an in-memory frame, a polars LazyFrame, one CSV or Parquet
file, or a glob of Parquet files larger than memory.
"""

from __future__ import annotations

import glob as _glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import DataChangedError, InvalidOptionError

__all__ = ["DataSource", "as_source"]

_PARQUET = (".parquet", ".pq", ".parq")
_PANDAS_COW = int(pd.__version__.split(".")[0]) >= 3
_CSV = (".csv", ".tsv", ".txt")


@dataclass(frozen=True)
class DataSource:
    """Where the rows come from; ``kind`` is pandas, polars, lazy, parquet or csv.

    Examples
    --------
    >>> import pandas as pd
    >>> src = as_source(pd.DataFrame({"y": [0, 1, 1], "x": [1.0, 2.0, 3.0]}))
    >>> [len(c) for c in src.chunks(["x"], chunk_rows=2)]
    [2, 1]
    """

    kind: str
    obj: Any
    description: str
    fingerprint: tuple = ()  # files: (path, size, mtime_ns) of each, taken when wrapped

    @property
    def in_memory(self) -> bool:
        """True when the data are an eager DataFrame held by the caller."""
        return self.kind in ("pandas", "polars")

    def check_unchanged(self) -> None:
        """Raise :class:`DataChangedError` if a file read before changed or disappeared.

        A result must not change because its data did: frames are kept as a snapshot
        (see :func:`as_source`), files are checked by size and modification time.
        """
        for path, size, mtime in self.fingerprint:
            try:
                st = os.stat(path)
            except FileNotFoundError:
                raise DataChangedError(
                    f"the data file {path!r} the model was fit on no longer exists (deleted or "
                    "moved since the fit); pass the estimation rows as data= to recompute, or "
                    "refit.") from None
            if (st.st_size, st.st_mtime_ns) != (size, mtime):
                raise DataChangedError(
                    f"the data file {path!r} changed after the model was fit on it (size "
                    f"{size:,} -> {st.st_size:,} bytes, modified again); the result would no "
                    "longer match its estimates. Pass the original rows as data=, or refit.")

    def columns(self) -> list[str]:
        """Column names, read from the schema without loading data."""
        self.check_unchanged()
        if self.kind == "pandas":
            return [str(c) for c in self.obj.columns]
        if self.kind == "polars":
            return list(self.obj.columns)
        if self.kind == "lazy":
            try:
                return list(self.obj.collect_schema().names())
            except FileNotFoundError as exc:  # a scan of files deleted since
                raise _gone(exc) from None
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            return list(pq.read_schema(self.obj[0]).names)
        return list(self._lazy_csv().collect_schema().names())

    def _lazy_csv(self):
        import polars as pl

        sep = "\t" if str(self.obj).endswith(".tsv") else ","
        return pl.scan_csv(self.obj, separator=sep, infer_schema_length=None)

    def chunks(self, columns: Sequence[str], *, chunk_rows: int,
               encode: Mapping[str, np.ndarray] | None = None) -> Iterator[pd.DataFrame]:
        """Yield pandas DataFrames with ``columns`` and at most ``chunk_rows`` rows each.

        Columns in ``encode`` (name -> levels) come from Arrow-backed sources as
        pandas Categoricals on those levels (values outside them missing), encoded
        by Arrow: string columns never become Python objects.
        """
        cols = list(dict.fromkeys(columns))
        have = set(self.columns())  # read the schema once, not once per column
        missing = [c for c in cols if c not in have]
        if missing:
            raise InvalidOptionError(
                f"column(s) {missing} not found in {self.description}; available columns: "
                f"{self.columns()}.")
        if self.kind == "pandas":
            # Slice each column, never the frame: under pandas 2 ``df.iloc[a:b, idx]``
            # copies every requested column at full length for each chunk.
            df = self.obj
            series = [df.iloc[:, df.columns.get_loc(c)] for c in cols]
            for a in range(0, max(len(df), 1), chunk_rows):
                yield pd.DataFrame({c: s.iloc[a:a + chunk_rows] for c, s in zip(cols, series)},
                                   copy=False)
            return
        if self.kind == "polars":
            df = self.obj.select(cols)
            for a in range(0, max(df.height, 1), chunk_rows):
                yield _arrow_frame(df.slice(a, chunk_rows).to_arrow(), encode)
            return
        if self.kind == "parquet":
            import pyarrow.parquet as pq

            for path in self.obj:
                pf = pq.ParquetFile(path)
                for batch in pf.iter_batches(batch_size=chunk_rows, columns=cols):
                    yield _arrow_frame(batch, encode)
            return
        lazy = self.obj if self.kind == "lazy" else self._lazy_csv()
        try:
            for batch in lazy.select(cols).collect_batches(chunk_size=chunk_rows):
                yield _arrow_frame(batch.to_arrow(), encode)
        except FileNotFoundError as exc:
            raise _gone(exc) from None

    def collect(self, columns: Sequence[str]) -> pd.DataFrame:
        """All rows of ``columns`` as one pandas DataFrame (for small-data estimators)."""
        parts = list(self.chunks(columns, chunk_rows=5_000_000))
        return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _gone(exc: FileNotFoundError) -> DataChangedError:
    return DataChangedError(
        f"a file the lazy frame reads no longer exists ({exc}); a result fitted on it cannot "
        "recompute from it. Pass the estimation rows as data=, or refit.")


def _arrow_frame(table, encode: Mapping[str, np.ndarray] | None) -> pd.DataFrame:
    """An Arrow table or record batch as pandas, ``encode`` columns as Categoricals."""
    cats = {}
    for col, levels in (encode or {}).items():
        if col in table.column_names:
            cat = _arrow_categorical(table.column(col), levels)
            if cat is not None:
                cats[col] = cat
    if not cats:
        return table.to_pandas()
    names = table.column_names
    frame = table.drop_columns(list(cats)).to_pandas()
    for col, cat in cats.items():
        frame[col] = cat
    return frame[names]


def _arrow_categorical(values, levels: np.ndarray) -> pd.Categorical | None:
    """``values`` coded on ``levels`` by Arrow; None when the types do not match."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        if pa.types.is_string_view(values.type):
            values = values.cast(pa.large_string())
        index = pc.index_in(values, value_set=pa.array(list(levels), type=values.type))
    except (pa.ArrowException, TypeError, ValueError):
        return None
    codes = index.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int32)
    return pd.Categorical.from_codes(codes, categories=pd.Index(levels, dtype=object))


def _paths_from_string(text: str) -> list[str]:
    if any(ch in text for ch in "*?["):
        paths = sorted(_glob.glob(text, recursive=True))
        if not paths:
            raise InvalidOptionError(f"no files match {text!r}.")
        return paths
    if os.path.isdir(text):
        paths = sorted(str(p) for p in Path(text).glob("*") if p.suffix.lower() in _PARQUET)
        if not paths:
            raise InvalidOptionError(f"folder {text!r} holds no .parquet files.")
        return paths
    if not os.path.exists(text):
        raise InvalidOptionError(f"data file {text!r} does not exist.")
    return [text]


def as_source(data: Any) -> DataSource:
    """Wrap a DataFrame, LazyFrame, path or glob in a :class:`DataSource`.

    Raises
    ------
    InvalidOptionError
        If ``data`` is none of the supported kinds or names no readable file.
    """
    if isinstance(data, DataSource):
        return data
    # Frames are kept as snapshots so that a result stays a value: pandas' copy-on-write
    # (always on from pandas 3) makes a shallow copy immune to the caller's later edits
    # without copying data (older pandas: a real copy); a polars clone shares its
    # immutable buffers.
    if isinstance(data, pd.DataFrame):
        return DataSource("pandas", data.copy(deep=not _PANDAS_COW),
                          f"the DataFrame ({len(data)} rows)")
    try:
        import polars as pl
    except ImportError:  # pragma: no cover - polars is a core dependency
        pl = None
    if pl is not None and isinstance(data, pl.DataFrame):
        return DataSource("polars", data.clone(), f"the polars DataFrame ({data.height} rows)")
    if pl is not None and isinstance(data, pl.LazyFrame):
        return DataSource("lazy", data, "the polars LazyFrame")
    if isinstance(data, (str, os.PathLike)):
        text = os.fspath(data)
        paths = _paths_from_string(text)
        suffixes = {Path(p).suffix.lower() for p in paths}
        prints = tuple((p, os.stat(p).st_size, os.stat(p).st_mtime_ns) for p in paths)
        if suffixes <= set(_PARQUET):
            return DataSource("parquet", tuple(paths), f"{text!r} ({len(paths)} Parquet file(s))",
                              prints)
        if len(paths) == 1 and suffixes <= set(_CSV):
            return DataSource("csv", paths[0], repr(text), prints)
        raise InvalidOptionError(
            f"cannot read {text!r}: give a .csv file, a .parquet file, a folder or a glob "
            "of .parquet files.")
    raise InvalidOptionError(
        "data must be a pandas or polars DataFrame, a polars LazyFrame, a CSV/Parquet path "
        f"or a glob of Parquet files; got {type(data).__name__}.")


def distinct_values(source: DataSource, columns: Sequence[str], *,
                    chunk_rows: int) -> dict[str, np.ndarray]:
    """Sorted distinct non-missing values of each column, in one pass over those columns."""
    found: dict[str, set] = {c: set() for c in columns}
    if not columns:
        return {}
    for chunk in source.chunks(columns, chunk_rows=chunk_rows):
        for c in columns:
            found[c].update(pd.unique(chunk[c].dropna()).tolist())
    return {c: _sorted(vals) for c, vals in found.items()}


def _sorted(values: set) -> np.ndarray:
    """Distinct values sorted (by text if the types do not compare) as an object array."""
    try:
        return np.array(sorted(values), dtype=object)
    except TypeError:
        return np.array(sorted(values, key=str), dtype=object)
