"""RiskSet: a lazy or collected risk set with its exclusions and column metadata."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import pandas as pd
import polars as pl

from policydiffusion._display import TextSummary
from policydiffusion.errors import InvalidOptionError
from policydiffusion.safe_output import neutralise_polars

__all__ = ["RiskSet"]

# Rows per morsel of polars' streaming engine while a dyadic risk set is written: the
# default (100,000) held 0.83 GB for 23 million county dyads with their terms, 25,000
# held 0.45 GB in about the same time.
DYAD_MORSEL_ROWS = 25_000
META_FILE = "riskset_meta.json"


def exclusion_lines(exclusions: pd.DataFrame) -> list[str]:
    """The exclusions as summary lines: count, reason and examples of each."""
    if exclusions.empty:
        return ["  exclusions: none"]
    return ["  exclusions (policy-unit pairs):"] + [
        f"    {r.count:>7,}  {r.reason}  [e.g. {r.examples}]" for r in exclusions.itertuples()]


def streaming_settings(design: str) -> contextlib.AbstractContextManager:
    """Settings of polars' streaming engine while a risk set of ``design`` is written:
    dyadic batches stream in morsels of ``DYAD_MORSEL_ROWS`` (half the peak memory of
    polars' default at the same speed)."""
    if design != "dyadic":
        return contextlib.nullcontext()
    return pl.Config(streaming_chunk_size=DYAD_MORSEL_ROWS)


@contextlib.contextmanager
def parquet_folder(folder: str | Path, rs: "RiskSet", *,
                   options: Mapping[str, object] | None = None) -> Iterator[Path]:
    """The folder of a risk set written as Parquet files, ready for ``part-*.parquet``.

    Creates the folder and removes the part files and the metadata of an earlier
    write (a shorter write must not leave stale parts to be read with it, nor a
    failed one the metadata of rows it deleted); when the block finishes, writes
    ``riskset_meta.json`` (design, ``options``, default
    ``rs.options``, column metadata, exclusions). Used by
    :meth:`RiskSet.sink_parquet_dataset` and the Dask build, so both folders read alike.

    Examples
    --------
    >>> import tempfile
    >>> rs = RiskSet("monadic", pl.LazyFrame(), pd.DataFrame(), {}, {"lag": 1})
    >>> with parquet_folder(tempfile.mkdtemp(), rs) as folder:
    ...     (folder / "part-00000.parquet").write_bytes(b"")
    0
    >>> sorted(p.name for p in folder.iterdir())
    ['part-00000.parquet', 'riskset_meta.json']
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in [*folder.glob("part-*.parquet"), folder / META_FILE]:
        old.unlink(missing_ok=True)
    yield folder
    meta = {"design": rs.design, "options": dict(rs.options if options is None else options),
            "column_meta": dict(rs.column_meta),
            "exclusions": rs.exclusions.to_dict(orient="records")}
    (folder / META_FILE).write_text(json.dumps(meta, indent=1, default=str), encoding="utf-8")


@dataclass(frozen=True)
class RiskSet:
    """An event-history risk set: the rows, why some units are missing, what each column is.

    Build one with :func:`~policydiffusion.riskset.monadic_riskset` or
    :func:`~policydiffusion.riskset.dyadic_riskset`.

    Attributes
    ----------
    design : str
        ``"monadic"`` (unit-period rows) or ``"dyadic"`` (directed dyad-period rows).
    plan : polars.LazyFrame
        The rows as a lazy query (nothing is computed until collected or sunk).
    exclusions : pandas.DataFrame
        ``reason, count, examples``: (policy, unit) pairs left out of the risk set and why.
    column_meta : dict
        ``{column: {"description": str, "lag": int | None}}`` for every column.
    options : dict
        Every option of the build, for provenance.
    policies : tuple[str, ...]
        The policies stacked in the risk set.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> from policydiffusion.riskset import monadic_riskset
    >>> s = load_study(pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"],
    ...                              "time": [2001, 2003]}), end=2004)
    >>> rs = monadic_riskset(s, policy="p")
    >>> rs.data.select("unit", "period", "adopt").rows()
    [('A', 2001, 1), ('B', 2001, 0), ('B', 2002, 0), ('B', 2003, 1)]
    """

    design: str
    plan: pl.LazyFrame = field(repr=False)
    exclusions: pd.DataFrame = field(repr=False)
    column_meta: Mapping[str, dict] = field(repr=False)
    options: Mapping[str, object] = field(repr=False)
    policies: tuple[str, ...] = ()
    _builder: Callable[[Sequence[str]], pl.LazyFrame] | None = field(default=None, repr=False,
                                                                     compare=False)
    _collected: pl.DataFrame | None = field(default=None, repr=False, compare=False)

    # ------------------------------------------------------------------ data
    @property
    def is_collected(self) -> bool:
        """True when the rows are held in memory."""
        return self._collected is not None

    @property
    def data(self) -> pl.DataFrame:
        """The rows as a polars DataFrame (collected now if the risk set is lazy)."""
        if self._collected is not None:
            return self._collected
        return self.plan.collect()

    def collect(self) -> "RiskSet":
        """A copy of this risk set with its rows computed and held in memory."""
        if self._collected is not None:
            return self
        data = self.plan.collect()
        return replace(self, plan=data.lazy(), _collected=data)

    def to_pandas(self) -> pd.DataFrame:
        """The rows as a pandas DataFrame."""
        return self.data.to_pandas()

    @property
    def columns(self) -> list[str]:
        """Column names (from the plan's schema; nothing is computed)."""
        return self.plan.collect_schema().names()

    def n_rows(self) -> int:
        """Number of rows (a streaming count when the risk set is lazy)."""
        if self._collected is not None:
            return self._collected.height
        return int(self.plan.select(pl.len()).collect().item())

    def n_events(self) -> int:
        """Number of rows with ``adopt == 1``."""
        df = self._collected.lazy() if self._collected is not None else self.plan
        if self.design == "dyadic":
            df = df.select("policy", "unit", "period", "adopt").unique()
        return int(df.select(pl.col("adopt").cast(pl.Int64).sum()).collect().item())

    # ------------------------------------------------------------------ output
    def sink_parquet(self, path: str | Path) -> Path:
        """Stream the rows into one Parquet file without holding them in memory."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if self._collected is not None:
            self._collected.write_parquet(path)
        else:
            with self._streaming():
                self.plan.sink_parquet(path, engine="streaming")
        return path

    def sink_csv(self, path: str | Path) -> Path:
        """Stream the rows into one CSV file."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # names from the data are neutralised so no cell runs as a spreadsheet formula
        if self._collected is not None:
            neutralise_polars(self._collected).write_csv(path)
        else:
            with self._streaming():
                neutralise_polars(self.plan).sink_csv(path)
        return path

    def sink_parquet_dataset(self, folder: str | Path, *, policies_per_file: int = 8,
                             progress: Callable[[int, int], None] | None = None) -> Path:
        """Write the rows as a folder of Parquet files, a batch of policies per file.

        Each batch is planned and streamed on its own, so memory does not grow with the
        number of policies. An unsorted lazy dyadic plan (``dyadic_riskset(...,
        lazy=True)``) streams in bounded memory whatever the size of a batch, sampled
        with ``sample_method="bernoulli"`` too; a sorted one, or one sampled by the
        default systematic method (a ranking within each stratum), holds a batch's rows,
        so write those one policy per file. The folder also gets
        ``riskset_meta.json`` (options, column metadata, exclusions). Read it back with
        ``polars.scan_parquet(folder / "*.parquet")``.

        Parameters
        ----------
        folder
            Output folder (created; existing ``part-*.parquet`` files are replaced).
        policies_per_file
            Policies per file.
        progress
            Called as ``progress(done, total)`` after each file.
        """
        if not isinstance(policies_per_file, int) or policies_per_file < 1:
            raise InvalidOptionError(f"policies_per_file must be a whole number >= 1; got "
                                     f"{policies_per_file!r}.")
        batches = [self.policies[i:i + policies_per_file]
                   for i in range(0, len(self.policies), policies_per_file)]
        with parquet_folder(folder, self) as out:
            for k, batch in enumerate(batches):
                target = out / f"part-{k:05d}.parquet"
                if self._collected is not None or self._builder is None:
                    src = self.plan.filter(pl.col("policy").is_in(list(batch)))
                else:
                    src = self._builder(batch)
                with self._streaming():
                    src.sink_parquet(target, engine="streaming")
                if progress is not None:
                    progress(k + 1, len(batches))
        return out

    def _streaming(self) -> contextlib.AbstractContextManager:
        """Settings of polars' streaming engine while this risk set is written."""
        return streaming_settings(self.design)

    # ------------------------------------------------------------------ people
    def summary(self) -> TextSummary:
        """A few lines: design, policies, rows, events, exclusions with reasons (a ``str``;
        HTML in notebooks)."""
        n, e = self.n_rows(), self.n_events()
        pol = self._policy_text()
        kind = ("directed-dyad" + (", conditional" if self.options.get("conditional") else ", full")
                if self.design == "dyadic" else "monadic")
        lines = [f"Risk set ({kind}): {pol}", f"  rows: {n:,}", f"  events (unit adoptions): {e:,}"]
        return TextSummary("\n".join(lines + exclusion_lines(self.exclusions)))

    def _policy_text(self) -> str:
        return (self.policies[0] if len(self.policies) == 1
                else f"{len(self.policies)} policies (pooled)")

    def _repr_html_(self) -> str:
        if self.is_collected:
            return self.summary()._repr_html_()
        # showing a lazy risk set must not compute it (it may be millions of rows)
        pol = self._policy_text()
        excl = int(self.exclusions["count"].sum()) if not self.exclusions.empty else "none"
        text = (f"Risk set ({self.design}, lazy): {pol}\n  columns: {', '.join(self.columns)}\n"
                f"  excluded policy-unit pairs: {excl}\n  (rs.summary() counts rows and events)")
        return TextSummary(text)._repr_html_()

    def __repr__(self) -> str:
        state = "collected" if self.is_collected else "lazy"
        return (f"RiskSet(design={self.design!r}, policies={len(self.policies)}, "
                f"columns={len(self.column_meta)}, {state})")
