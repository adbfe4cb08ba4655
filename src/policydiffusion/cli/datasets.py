"""`policydiffusion datasets`: list the shipped datasets."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from policydiffusion.cli._app import app


@app.command("datasets")
def datasets_command(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also show source and licence."),
) -> None:
    """List the datasets shipped with policydiffusion (name, kind, description).

    Load one in Python with `policydiffusion.datasets.load_dataset(NAME)`. Simulated
    datasets are marked as such.
    """
    from policydiffusion.datasets import list_datasets

    df = list_datasets()
    table = Table(title="Shipped datasets", show_lines=False)
    for col in ["name", "kind", "description"] + (["source", "licence"] if verbose else []):
        table.add_column(col, overflow="fold")
    for _, r in df.iterrows():
        desc = r["description"]
        if r["simulated"] and not desc.upper().startswith("SIMULATED"):
            desc = "SIMULATED: " + desc
        cells = [r["name"], r["kind"], desc] + ([r["source"], r["licence"]] if verbose else [])
        table.add_row(*cells)
    Console(width=140).print(table)
