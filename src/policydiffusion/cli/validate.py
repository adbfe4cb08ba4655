"""`policydiffusion validate`: check adoption data and report problems and exclusions."""

from __future__ import annotations

import typer

from policydiffusion.cli._app import app
from policydiffusion.cli._study_options import with_study


@app.command("validate")
@with_study
def validate_command(study, loading: dict) -> None:
    """Check adoption data: print every problem (file, row, column) or a summary with exclusions.

    Example: `policydiffusion validate adoptions.csv --unit-col state --time-col year
    --units states.csv --relation contiguity=borders.csv:state:neighbor`
    """
    from policydiffusion.cli._study_options import ignored_columns

    typer.echo("OK: no problems found.")
    typer.echo(study.summary())
    for file, cols in ignored_columns(loading, study.sources).items():
        typer.echo(f"Columns not read from {file}: {', '.join(cols)} (name them with --policy-col, "
                   "--unit-col, --time-col or --relation NAME=FILE:SOURCE:TARGET:PERIOD:WEIGHT if they matter).")
