"""`policydiffusion demo`: run the shipped example studies."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer

from policydiffusion.cli._app import app


def run_demo(out: Path, *, lang: Optional[str] = None, progress: bool = True,
             overrides: Optional[dict] = None) -> list:
    """Run every shipped study into ``out/<name>/``; returns their RunResults."""
    from policydiffusion.pipeline import run_study
    from policydiffusion.studyfile import EXAMPLES, example_path

    results = []
    for name in EXAMPLES:
        results.append(run_study(example_path(name), out / name, lang=lang, progress=progress,
                                 overrides=(overrides or {}).get(name)))
    return results


def _highlight(result: object) -> str:
    """One line with the first non-intercept estimate of the run's last fitted model."""
    state = result.state  # type: ignore[attr-defined]
    if not state.models:
        return ""
    m = state.models[-1]
    t = m.result.tidy()
    t = t[t["term"] != "Intercept"]
    row = t.iloc[0]
    why = getattr(m.result, "not_estimable", {}).get(row["term"])
    if why:
        return f"  e.g. model {m.key!r}: {row['term']} not estimable ({why})"
    return (f"  e.g. model {m.key!r}: {row['term']} = {row['estimate']:.3f} "
            f"(SE {row['std_error']:.3f}, {m.result.vcov_spec.kind} SEs)")


@app.command("demo")
def demo_command(
    out: Path = typer.Option(Path("out"), "--out", "-o", help="Folder for the outputs: "
                             "OUT/us_states_spid/, OUT/china_mobile_gov/ and "
                             "OUT/china_prefectures_covid/."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Report language, en or zh "
                                       "(default: each study's own: English for the US study, "
                                       "Chinese for the Chinese ones)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Run the shipped example studies end to end and say where the reports are.

    1. examples/us_states_spid.toml: classic diffusion models on the real SPID data
       (US states: neighbours, regions, national interaction, leaders, inferred network).
    2. examples/china_mobile_gov.toml: a directed-dyad design on SIMULATED Chinese
       provincial data (officials' study visits and institutional pressures).
    3. examples/china_prefectures_covid.toml: a daily multi-level event history of REAL
       prefecture home-isolation orders (2020; gpl-covid): the province above, adjacent
       prefectures beside, distance to Wuhan; the diffusion modes of three measures; and
       what they achieved (Hsiang et al. 2020's event study, ours vs published, benefits).

    Copy any study file to start your own analysis; `policydiffusion run` runs it.
    """
    t0 = time.perf_counter()
    results = run_demo(out, lang=lang, progress=not quiet)
    typer.echo("")
    for r in results:
        typer.echo(r.summary())
        line = _highlight(r)
        if line:
            typer.echo(line)
        typer.echo("")
    typer.echo(f"Done in {time.perf_counter() - t0:.0f} s. Open the reports in a browser:")
    for r in results:
        typer.echo(f"  {r.report.resolve().as_uri()}")
    typer.echo("The study files (copy one to start your own analysis):")
    for r in results:
        typer.echo(f"  {r.state.sf.path}")
