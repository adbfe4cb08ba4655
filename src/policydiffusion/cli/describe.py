"""`policydiffusion describe`: adoption curves, fits, take-off, speed, maps and tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from policydiffusion.cli._app import app
from policydiffusion.cli._study_options import with_study


@app.command("describe")
@with_study
def describe_command(
    study,
    policy: List[str] = typer.Option([], help="Policy id to describe; repeatable (default: all)."),
    out: Optional[Path] = typer.Option(None, help="Folder for CSV tables and PNG/SVG figures."),
    json_file: Optional[Path] = typer.Option(None, "--json", help="Write one JSON entry per policy."),
    lang: str = typer.Option("en", help="Figure labels: en or zh."),
    method: str = typer.Option("mle", help="Curve fitting: mle or nls."),
    relation_name: str = typer.Option("contiguity", "--relation-name",
                                      help="Relation for Moran's I and the neighbour share."),
    permutations: int = typer.Option(0, help="Moran's I permutations (0: the analytic p-values only)."),
    seed: int = typer.Option(0, help="Seed for the permutations."),
    jobs: int = typer.Option(1, help="Processes for the curve fits, and with --out the figures (results are the same)."),
    figure_formats: str = typer.Option("png,svg", "--figure-formats",
                                       help="Figure files written with --out: png, svg and/or pdf, comma-separated."),
    dpi: int = typer.Option(300, help="Resolution of the PNG figures (dots per inch, 50-1200)."),
) -> None:
    """Describe diffusion: curves, S-curve/Bass fits, take-off, speed, clustering, figures.

    Example: `policydiffusion describe --dataset spid --policy antibully --out figs --json d.json`
    """
    from policydiffusion.curves._data import policy_list
    from policydiffusion.errors import InvalidOptionError, check_choice

    check_choice("lang", lang, ("en", "zh"))
    if jobs < 1:
        raise InvalidOptionError(f"--jobs must be at least 1; got {jobs}.")
    formats = _figure_formats(figure_formats)
    if not 50 <= dpi <= 1200:
        raise InvalidOptionError(f"--dpi must be between 50 and 1200; got {dpi}.")
    ids = policy_list(study, list(policy) or None)  # unknown ids raise here, before any work
    if out is None and json_file is None:
        raise InvalidOptionError("nothing to write: pass --out DIR and/or --json FILE.")
    from policydiffusion.curves import policy_speed

    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    # without figures the curve fits are nearly all the work: with --jobs they run in
    # worker processes (started before the speed table, which this process computes
    # meanwhile) and everything else in this one, as one batch
    parallel = _ParallelFits(study, ids, method, jobs) if out is None and jobs > 1 else None
    try:
        speed = policy_speed(study)
    except BaseException:
        if parallel is not None:
            parallel.close()
        raise
    rel = relation_name if relation_name in study.relations else None
    task = _Task(study, speed, method, rel, permutations, seed, out, lang, formats, dpi,
                 fits=parallel.result() if parallel is not None else None)
    chunks = _chunks(ids, jobs) if out is not None else [ids]
    entries, curves, fits, cats, idx = [], [], [], [], []
    for entry, curve, cat, index, fit, summary in _map(task, chunks, jobs):
        entries.append(entry)
        curves.append(curve)
        cats.append(cat)
        idx.append(index)
        if fit is not None:
            fits.extend(fit)
        typer.echo(summary)
    if out is not None:
        import pandas as pd

        out.mkdir(parents=True, exist_ok=True)
        from policydiffusion.safe_output import write_csv

        write_csv(pd.concat(curves), out / "adoption_curves.csv")
        write_csv(pd.concat(cats), out / "adopter_categories.csv")
        write_csv(speed[speed["policy"].isin(ids)], out / "speed.csv")
        write_csv(pd.DataFrame(idx), out / "diffusion_index.csv")
        if fits:
            write_csv(pd.DataFrame(fits, columns=list(fits[0])), out / "curve_fits.csv")
        typer.echo(f"tables and figures written to {out}")
    if json_file is not None:
        json_file.parent.mkdir(parents=True, exist_ok=True)
        json_file.write_text(_json_text(entries), encoding="utf-8")
        typer.echo(f"JSON written to {json_file}")


def _json_text(entries: list[dict]) -> str:
    """One JSON object keyed by policy, one policy a line: each entry by the json
    module's C encoder (``indent`` would send all 728 SPID entries through its
    pure-Python one, 0.5 s), the same values as ``json.dumps(..., indent=1)``.

    >>> print(_json_text([{"policy": "a", "x": [1.5, None]}, {"policy": "b"}]), end="")
    {
    "a": {"policy": "a", "x": [1.5, null]},
    "b": {"policy": "b"}
    }
    """
    by_policy = {e["policy"]: e for e in entries}  # a policy named twice: one entry
    lines = (f"{json.dumps(p, ensure_ascii=False)}: {json.dumps(e, ensure_ascii=False)}"
             for p, e in by_policy.items())
    return "{\n" + ",\n".join(lines) + "\n}\n"


class _Task:
    """Everything one policy's description needs; worker processes inherit it."""

    def __init__(self, study, speed, method, relation, permutations, seed, out, lang,
                 formats=("png", "svg"), dpi=300, fits=None) -> None:
        self.study, self.speed, self.method, self.relation = study, speed, method, relation
        self.permutations, self.seed, self.out, self.lang = permutations, seed, out, lang
        self.formats, self.dpi, self.fits = formats, dpi, fits

    def __call__(self, chunk: list[str]) -> list[tuple]:
        from policydiffusion.curves import describe_policies

        # one batch per chunk: the data read once, the curve fits fitted together
        ds = describe_policies(self.study, chunk, method=self.method, relation=self.relation,
                               permutations=self.permutations, seed=self.seed, speed_table=self.speed,
                               curve_fits=self.fits)
        out = []
        for d in ds:
            if self.out is not None:
                _figures(self.study, d, self.out, self.lang, formats=self.formats, dpi=self.dpi)
            fit = [{**r, "policy": d.policy} for r in d.fits.tidy_records()] if d.fits is not None else None
            out.append((d.to_dict(), d.curve, d.categories, {"policy": d.policy, **d.index}, fit,
                        d.summary()))
        return out


_TASK: _Task | None = None


def _init_worker(task: _Task) -> None:
    global _TASK
    _TASK = task


def _run_in_worker(chunk: list[str]) -> list[tuple]:
    return _TASK(chunk)


class _ParallelFits:
    """The curve fits of ``ids`` in ``jobs`` processes: ``jobs - 1`` spawned workers
    start on their shares at once; this process fits its own share when
    :meth:`result` is asked for (after its other work). Every fit depends only on its
    own policy's data, so the fits are those of one batch."""

    def __init__(self, study, ids: list[str], method: str, jobs: int) -> None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        from policydiffusion.curves import fit_curves_many

        # every jobs-th policy: SPID's slow fits are not next to each other in the list
        shares = [ids[i::jobs] for i in range(min(jobs, len(ids)))] or [[]]
        self.study, self.method, self.own = study, method, shares[0]
        self.pool = ProcessPoolExecutor(max_workers=len(shares) - 1, mp_context=mp.get_context("spawn")
                                        ) if len(shares) > 1 else None
        # fit_curves_many itself goes to the workers: they import the curves, not the CLI
        self.futures = [self.pool.submit(fit_curves_many, study, s, method=method)
                        for s in shares[1:]] if self.pool else []

    def close(self) -> None:
        """Stop the workers: their fits are not wanted (this process failed)."""
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def result(self) -> dict:
        from policydiffusion.curves import fit_curves_many

        try:
            fits = fit_curves_many(self.study, self.own, method=self.method)
            for f in self.futures:
                fits.update(f.result())
        finally:
            if self.pool is not None:
                self.pool.shutdown()
        return fits


def _chunks(ids: list[str], jobs: int) -> list[list[str]]:
    """Batches of policies whose figures are drawn (without figures all policies are
    one batch): at most 64 for one process (large enough for batched fits, small
    enough that summaries are printed as they come); with workers 4 per worker but at
    most 16 (about 0.3 s of figure CPU a policy): with 4 chunks a worker, one worker
    went on alone for up to a chunk's 30-40 s at the end.

    >>> [len(c) for c in _chunks([str(i) for i in range(100)], 2)]
    [13, 13, 13, 13, 13, 13, 13, 9]
    >>> max(len(c) for c in _chunks([str(i) for i in range(728)], 2))
    16
    """
    n = -(-len(ids) // 64) if jobs == 1 else min(len(ids), 4 * jobs)
    size = -(-len(ids) // max(n, 1))
    if jobs > 1:
        size = min(size, 16)
    return [ids[i:i + size] for i in range(0, len(ids), size)]


def _map(task: _Task, chunks: list[list[str]], jobs: int):
    """Results in the order of the chunks' ids; with several chunks from worker processes.
    Each curve fit depends only on its own policy's data (row by row in the batch), so
    the numbers do not depend on ``jobs``."""
    if jobs == 1 or len(chunks) < 2:
        for chunk in chunks:
            yield from task(chunk)
        return
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: a forked child can deadlock on the parent's polars thread pool
    with ProcessPoolExecutor(max_workers=min(jobs, len(chunks)),
                             mp_context=mp.get_context("spawn"),
                             initializer=_init_worker, initargs=(task,)) as ex:
        for part in ex.map(_run_in_worker, chunks):
            yield from part


def _figure_formats(text: str) -> tuple[str, ...]:
    """``"png,svg"`` -> ``("png", "svg")``; each one checked, at least one."""
    from policydiffusion.errors import InvalidOptionError, check_choice

    formats = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    if not formats:
        raise InvalidOptionError(f"--figure-formats names no format; got {text!r} (use png, svg and/or pdf).")
    for f in formats:
        check_choice("--figure-formats", f, ("png", "svg", "pdf"))
    return formats


def _figures(study, d, out: Path, lang: str, *, formats: tuple[str, ...] = ("png", "svg"),
             dpi: int = 300) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from policydiffusion.report.figures import (plot_adoption_curve, plot_adoption_timeline, plot_choropleth,
                                                plot_hazard, save_figure)
    from policydiffusion.report.figures._common import reuse_figures

    from policydiffusion.safe_output import safe_filename

    safe = safe_filename(d.policy)
    figures = {
        "curve": lambda: plot_adoption_curve(d.curve, d.fits, lang=lang, takeoff=d.takeoff.get("takeoff_period")),
        "hazard": lambda: plot_hazard(d.curve, lang=lang),
        "map": lambda: plot_choropleth(study, d.policy, lang=lang),
        "timeline": lambda: plot_adoption_timeline(study, d.policy, lang=lang),
    }
    for kind, draw in figures.items():
        with reuse_figures():  # each kind's figure of the policy before, redrawn: the same files
            ax = draw()
        # zlib level 3: the same pixels as the default 6, a third less time, ~8% larger files
        save_figure(ax, out / f"{safe}_{kind}", formats, dpi=dpi, png_compression=3)
        plt.close(ax.figure)  # out of pyplot's list; a kept figure can still be drawn and saved
