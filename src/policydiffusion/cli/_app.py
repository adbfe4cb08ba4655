"""The typer application that every subcommand module registers on."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="policydiffusion",
    help=(
        "Policy innovation and diffusion research from the command line.\n\n"
        "Typical path: `policydiffusion validate` your adoption data, build a risk set "
        "with `policydiffusion riskset`, fit it with `policydiffusion fit`, or run a whole "
        "study file with `policydiffusion run STUDY.toml`. `policydiffusion demo` runs the "
        "shipped examples."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",
)
