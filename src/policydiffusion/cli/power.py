"""`policydiffusion power`: power to detect a diffusion effect over a grid of designs."""

from __future__ import annotations

from typing import Optional

import typer

from policydiffusion.cli._app import app


def _numbers(option: str, text: str, problems: list[str], *, whole: bool = False,
             least: float | None = None) -> list:
    """The comma-separated numbers of an option; what is wrong with them goes to ``problems``."""
    import math

    values = []
    for t in (t.strip() for t in text.split(",")):
        try:
            v = float(t) if t else math.nan
        except ValueError:
            v = math.nan
        if not math.isfinite(v) or (whole and not v.is_integer()) or (least is not None and v < least):
            kind = "whole numbers" if whole else "numbers"
            floor = f" of at least {least:g}" if least is not None else ""
            problems.append(f"--{option} must be comma-separated {kind}{floor}; got {text!r}.")
            return []
        values.append(int(v) if whole else v)
    return values


@app.command("power")
def power_command(
    mechanism: str = typer.Option("covariate", help="covariate, neighbors or national."),
    effects: str = typer.Option("0,0.5,1", help="Effect sizes (logit coefficients), comma-separated."),
    units: str = typer.Option("50", help="Numbers of units, comma-separated."),
    periods: str = typer.Option("10", help="Numbers of periods, comma-separated."),
    baseline: float = typer.Option(-3.0, help="Intercept (baseline hazard on the logit scale)."),
    reps: int = typer.Option(100, help="Simulations per grid point."),
    alpha: float = typer.Option(0.05, help="Significance level."),
    seed: int = typer.Option(..., help="Random seed."),
    csv: Optional[str] = typer.Option(None, help="Also write the table as CSV."),
) -> None:
    """Share of simulations in which the effect is significant, over a grid.

    Example: `policydiffusion power --mechanism neighbors --effects 0.5,1,2 --units 30,50
    --periods 10 --reps 200 --seed 1`. Each simulation draws a fresh synthetic study
    (units on a plane, k-nearest-neighbour contiguity) and fits the correct logit.
    """
    from rich.console import Console
    from rich.table import Table

    from policydiffusion.errors import raise_problems
    from policydiffusion.simulate import mechanism_design, mechanism_term, power_analysis
    from policydiffusion.simulate.designs import MECHANISMS
    from policydiffusion.simulate.recovery import failed_note, power_problems

    problems: list[str] = []
    if mechanism not in MECHANISMS:
        problems.append(f"--mechanism must be one of {', '.join(MECHANISMS)}; got {mechanism!r}.")
    grid = {"effect": _numbers("effects", effects, problems),
            "n_units": _numbers("units", units, problems, whole=True, least=3),
            "n_periods": _numbers("periods", periods, problems, whole=True, least=1)}
    problems += [p.replace("alpha", "--alpha").replace("reps", "--reps")
                 for p in power_problems({}, reps=reps, alpha=alpha)]
    raise_problems(problems)  # every problem at once, before any simulation
    term = mechanism_term(mechanism)
    res = power_analysis(lambda seed, **p: mechanism_design(seed=seed, mechanism=mechanism,
                                                            baseline=baseline, **p),
                         grid=grid, term=term, reps=reps, seed=seed, alpha=alpha)
    t = res.table
    table = Table(title=f"Power for {term!r} ({mechanism}), alpha={alpha:g}, {reps} simulations "
                        "per design")
    for c in ("effect", "n_units", "n_periods", "power", "mean_estimate", "coverage", "fits",
              "failed", "separated"):
        table.add_column(c, justify="right")
    for _, r in t.iterrows():
        table.add_row(f"{r['effect']:g}", str(int(r["n_units"])), str(int(r["n_periods"])),
                      f"{r['power']:.3f}", f"{r['mean_estimate']:.3f}", f"{r['coverage']:.3f}",
                      str(int(r["reps"])), str(int(r["failed"])), str(int(r["separated"])))
    Console(width=120).print(table)
    note = failed_note(t)
    if note:
        typer.echo(note)
    if csv:
        from policydiffusion.safe_output import write_csv

        write_csv(t, csv)
        typer.echo(f"wrote {csv}")
