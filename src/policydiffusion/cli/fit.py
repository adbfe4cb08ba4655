"""`policydiffusion fit`: fit a discrete-time hazard model to a risk-set file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from policydiffusion.cli._app import app


def _stderr_is_tty() -> bool:
    """A progress counter helps a person watching, not a log file."""
    import sys

    return sys.stderr.isatty()


def vcov_from_options(vcov: Optional[str], cluster: List[str]):
    """The vcov spec from --vcov and --cluster (judged by ``VcovSpec.parse``, so the CLI
    accepts and refuses what Python and the study file do)."""
    from policydiffusion.errors import InvalidOptionError
    from policydiffusion.estimate._vcov import VcovSpec

    if vcov is None:
        vcov = "cluster" if cluster else "classical"
    if cluster:
        try:
            VcovSpec.parse(vcov)
        except InvalidOptionError:
            return VcovSpec.parse({vcov: list(cluster)}).to_json()
        raise InvalidOptionError(f"--cluster makes no sense with --vcov {vcov}.")
    try:
        return VcovSpec.parse(vcov).to_json()
    except InvalidOptionError as err:
        try:  # a kind that needs columns: say which flag gives them
            VcovSpec.parse({vcov: ["a", "b"]})
        except InvalidOptionError:
            raise err from None
        raise InvalidOptionError(f"--vcov {vcov} needs --cluster COLUMN (dyadic: two columns).")


@app.command("fit")
def fit_command(
    data: str = typer.Argument(..., help="Risk set: a CSV or Parquet file, or a glob of Parquet "
                               "files (quote it: 'riskset/*.parquet')."),
    formula: str = typer.Option(..., "--formula", "-f", help="e.g. 'adopt ~ x1 + x2'."),
    link: str = typer.Option("logit", help="logit, probit or cloglog."),
    cluster: List[str] = typer.Option([], help="Cluster column; repeat for multiway; dyadic: "
                                      "the two unit columns."),
    vcov: Optional[str] = typer.Option(None, help="classical, hc0, hc1, cluster, "
                                       "cluster-cr0 (no G/(G-1): R sandwich cadjust=FALSE, "
                                       "rms::robcov), cluster-regress or dyadic (default: "
                                       "cluster if --cluster is given, else classical)."),
    firth: bool = typer.Option(False, "--firth", help="Firth penalised logit."),
    firth_inference: str = typer.Option("profile", help="With --firth: profile (penalised "
                                        "LR tests, profile-likelihood CIs) or wald."),
    on_separation: str = typer.Option("mark", "--on-separation", help="A fit with "
                                      "(quasi-)separation: mark (its coefficients are shown as "
                                      "not estimable), firth (refit with Firth's penalised "
                                      "likelihood, labelled so) or raise."),
    weights: Optional[str] = typer.Option(None, help="Column of case weights."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the result as JSON."),
    chunk_rows: int = typer.Option(1_000_000, help="Rows read per chunk."),
    engine: str = typer.Option("local", help="local (this process) or dask (passes run as "
                               "Dask tasks over partitions of about --chunk-rows rows, "
                               "Parquet files read by the workers; same numbers; finished "
                               "partitions counted on stderr when it is a terminal; "
                               "needs pip install \"policydiffusion[dask]\")."),
    scheduler: Optional[str] = typer.Option(None, help="With --engine dask: the scheduler "
                                            "address, e.g. tcp://10.0.0.5:8786 (default: a "
                                            "new LocalCluster)."),
) -> None:
    """Fit a logit/probit/cloglog hazard model; print a summary, optionally write JSON.

    Example: `policydiffusion fit riskset.parquet --formula "adopt ~ neighbors + income"
    --link cloglog --cluster state --json fit.json`. Statistics are z, p-values normal,
    intervals 95% normal; with --firth (and no cluster), penalised likelihood-ratio
    chi-squared tests and profile penalised-likelihood intervals (the table's note says).
    """
    from policydiffusion.estimate import fit_hazard

    from policydiffusion.errors import InvalidOptionError, check_choice

    check_choice("--engine", engine, ("local", "dask"))
    if scheduler is not None and engine != "dask":
        raise InvalidOptionError("--scheduler makes no sense without --engine dask.")
    spec = vcov_from_options(vcov, cluster)
    if vcov is None and not cluster:
        # the defaults differ on purpose (a bare table has no known unit column); say so
        typer.echo("note: classical standard errors (the default here and in Python's "
                   "fit_hazard); a study file's models cluster by unit by default: add "
                   "--cluster unit for the same.", err=True)
    res = fit_hazard(data, formula, link=link, vcov=spec, firth=firth,
                     firth_inference=firth_inference, weights=weights,
                     chunk_rows=chunk_rows, on_separation=on_separation, engine=engine,
                     scheduler=scheduler, progress=engine == "dask" and _stderr_is_tty())
    typer.echo(str(res.summary()))
    if json_out is not None:
        json_out.write_text(json.dumps(res.to_dict(), indent=2, ensure_ascii=False))
        typer.echo(f"wrote {json_out}")
