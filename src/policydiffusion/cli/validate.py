"""`policydiffusion validate`: check adoption data and report problems and exclusions."""

from __future__ import annotations

import typer

from policydiffusion.cli._app import app
from policydiffusion.cli._study_options import with_study


@app.command("validate")
@with_study
def validate_command(study) -> None:
    """Check adoption data: print every problem (file, row, column) or a summary with exclusions.

    Example: `policydiffusion validate adoptions.csv --unit-col state --time-col year
    --units states.csv --relation contiguity=borders.csv:state:neighbor`
    """
    typer.echo("OK: no problems found.")
    typer.echo(study.summary())
