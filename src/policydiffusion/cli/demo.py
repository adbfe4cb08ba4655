"""`policydiffusion demo`: run the shipped example studies."""

from __future__ import annotations

from pathlib import Path

import typer

from policydiffusion.cli._app import app


@app.command("demo")
def demo_command(
    out: Path = typer.Option(Path("policydiffusion-demo"), help="Folder for the outputs."),
) -> None:
    """Run the shipped examples on the real SPID data and print what was done."""
    from policydiffusion.datasets import spid_study

    study = spid_study()
    typer.echo(study.summary())
    out.mkdir(parents=True, exist_ok=True)
