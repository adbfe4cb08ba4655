"""`policydiffusion validate`: check adoption data and report problems and exclusions."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from policydiffusion.cli._app import app


def study_from_options(adoptions: Path, units: Optional[Path], policies: Optional[Path],
                       covariates: Optional[Path], relation: List[str], policy_col: str,
                       unit_col: str, time_col: str, layout: str, granularity: str,
                       start: Optional[str], end: Optional[str]):
    """Build a Study from command-line options (shared by several commands)."""
    from policydiffusion.study import RelationSpec, load_study

    rels = {}
    for spec in relation:
        name, _, rest = spec.partition("=")
        if not rest:
            from policydiffusion.errors import InvalidOptionError

            raise InvalidOptionError(
                f"--relation {spec!r} must look like NAME=FILE[:SOURCE_COL:TARGET_COL], "
                "e.g. contiguity=adjacency.csv:state:neighbor")
        parts = rest.split(":")
        kw = {"source": parts[1], "target": parts[2]} if len(parts) >= 3 else {}
        rels[name] = RelationSpec(parts[0], **kw)
    return load_study(adoptions, units=units, policies=policies, covariates=covariates,
                      relations=rels or None, policy_col=policy_col, unit_col=unit_col,
                      time_col=time_col, layout=layout, granularity=granularity, start=start,
                      end=end)


@app.command("validate")
def validate_command(
    adoptions: Path = typer.Argument(..., help="Adoption records: CSV, Parquet, Excel or Stata file."),
    units: Optional[Path] = typer.Option(None, help="Units table (one row per unit)."),
    policies: Optional[Path] = typer.Option(None, help="Policy metadata table."),
    covariates: Optional[Path] = typer.Option(None, help="Unit x period covariate panel."),
    relation: List[str] = typer.Option([], help="NAME=FILE[:SOURCE_COL:TARGET_COL]; repeatable."),
    policy_col: str = typer.Option("policy", help="Column holding the policy id."),
    unit_col: str = typer.Option("unit", help="Column holding the unit id."),
    time_col: str = typer.Option("time", help="Column holding the adoption time."),
    layout: str = typer.Option("long", help="long (one row per adoption) or wide (unit x policy)."),
    granularity: str = typer.Option("year", help="year, quarter, month or period."),
    start: Optional[str] = typer.Option(None, help="First period observed (default: first adoption)."),
    end: Optional[str] = typer.Option(None, help="Last period observed (default: last adoption)."),
) -> None:
    """Check adoption data: print every problem (file, row, column) or a summary with exclusions.

    Example: `policydiffusion validate adoptions.csv --unit-col state --time-col year
    --units states.csv --relation contiguity=borders.csv:state:neighbor`
    """
    study = study_from_options(adoptions, units, policies, covariates, relation, policy_col,
                               unit_col, time_col, layout, granularity, start, end)
    typer.echo("OK: no problems found.")
    typer.echo(study.summary())
