"""`policydiffusion modes`: label each policy's diffusion mode in a multi-level state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from policydiffusion.cli._app import app
from policydiffusion.cli._study_options import with_study


@app.command("modes")
@with_study
def modes_command(
    study,
    pilots: Optional[Path] = typer.Option(None, help="Pilot designations: policy, unit, time."),
    central_level: Optional[str] = typer.Option(
        None, help="The upper level (default: the top level). A lower one, e.g. province, "
                   "makes each of its units the centre of its own descendants."),
    lower_level: list[str] = typer.Option([], help="Lower level(s) to measure (repeatable; "
                                                   "default: every level below)."),
    top_down_max_share: float = typer.Option(0.10, help="Top-down: largest share adopting "
                                                        "before the central adoption."),
    bottom_up_min_share: float = typer.Option(0.25, help="Bottom-up: smallest share adopting "
                                                         "before the central adoption."),
    hazard_rise: str = typer.Option("ci", help="ci (lower limit of the hazard ratio > 1) or "
                                               "point (ratio > 1)."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write the modes and their "
                                                                 "evidence as JSON."),
) -> None:
    """Top-down, pilot-then-promote, bottom-up or horizontal: the mode of each policy.

    The units table needs `level` and `parent` columns (the centre has no parent).
    Example: `policydiffusion modes adoptions.csv --units units.csv --pilots pilots.csv
    --granularity month --json modes.json`. Rules and thresholds: METHODS 5.24 and
    `policydiffusion.modes.ModeRules`.
    """
    from policydiffusion.modes import ModeRules, classify_modes

    rules = ModeRules(top_down_max_share=top_down_max_share,
                      bottom_up_min_share=bottom_up_min_share, hazard_rise=hazard_rise)
    res = classify_modes(study, pilots=pilots, central_level=central_level,
                         lower_levels=lower_level or None, rules=rules)
    typer.echo(res.summary())
    if json_out is not None:
        Path(json_out).write_text(json.dumps(res.to_dict(), indent=1, ensure_ascii=False),
                                  encoding="utf-8")
        typer.echo(f"wrote {json_out}")
