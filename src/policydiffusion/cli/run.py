"""`policydiffusion run`: run a study file and write the report."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from policydiffusion.cli._app import app


@app.command("run")
def run_command(
    study: Path = typer.Argument(..., help="Study file (TOML) describing the analysis; see "
                                 "docs/study-file.md or examples/*.toml."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder, replaced as a whole when the run "
                           "succeeds (a folder of other files is refused)."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Report language: en or zh "
                                       "(default: the study file's report.language)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Run every analysis in a study file and write an offline report.

    Writes OUT/report.html (one self-contained page: open it in any browser, no network
    needed), OUT/tables/ (CSV, LaTeX, Markdown), OUT/figures/ (PNG, SVG), OUT/results.json
    (every model, as `policydiffusion fit --json` writes it) and OUT/run.json (versions,
    options, seeds, input checksums and every exclusion with its reason).

    Example: `policydiffusion run examples/us_states_spid.toml --out out/us --lang zh`
    """
    from policydiffusion.pipeline import run_study

    result = run_study(study, out, lang=lang, progress=not quiet)
    typer.echo(result.summary())
