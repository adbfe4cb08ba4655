"""`policydiffusion simulate`: adoption data from a fitted model or a simple mechanism."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from policydiffusion.cli._app import app
from policydiffusion.safe_output import safe_filename, write_csv


@app.command("simulate")
def simulate_command(
    out: Path = typer.Option(..., "--out", "-o", help="CSV of simulated adoptions to write "
                             "(a folder with --study)."),
    seed: Optional[int] = typer.Option(None, help="Random seed (the same seed gives the same "
                                       "data); required with --fit and --mechanism (a study "
                                       "file sets its own)."),
    study_file: Optional[Path] = typer.Option(None, "--study", help="A study file (TOML): run its "
                                              "[[simulation]] entries and write each one's "
                                              "draws and curves into the --out folder."),
    fit: Optional[Path] = typer.Option(None, help="Fitted model JSON from `policydiffusion fit --json`."),
    dataset: Optional[str] = typer.Option(None, help="Shipped study dataset the model was fit on "
                                          "(e.g. china_mobile_gov)."),
    policy: Optional[str] = typer.Option(None, help="Policy of the fitted model."),
    term: List[str] = typer.Option([], "--term", help="Diffusion term of the fitted model, "
                                   "NAME[:opt=value,...] as in `policydiffusion riskset`; repeat."),
    draws: int = typer.Option(100, help="Simulated histories (from a fit)."),
    curves: Optional[Path] = typer.Option(None, help="Also write observed vs simulated cumulative "
                                          "shares (from a fit)."),
    mechanism: Optional[str] = typer.Option(None, help="Simple mechanism instead of a fit: "
                                            "covariate, neighbors or national."),
    effect: float = typer.Option(0.5, help="Mechanism effect (logit coefficient)."),
    units: int = typer.Option(50, help="Units of the synthetic study (mechanism)."),
    periods: int = typer.Option(10, help="Periods of the synthetic study (mechanism)."),
    baseline: float = typer.Option(-3.0, help="Intercept (mechanism)."),
    link: str = typer.Option("logit", help="logit, probit or cloglog (mechanism)."),
) -> None:
    """Simulate adoption data and write it as CSV.

    From a fit: `policydiffusion simulate --fit fit.json --dataset china_mobile_gov --policy
    mobile_gov --term national_share --draws 200 --seed 1 --out sim.csv --curves curves.csv`.
    From a mechanism: `policydiffusion simulate --mechanism neighbors --effect 1.5 --units 50
    --periods 12 --seed 1 --out sim.csv`. From a study file: `policydiffusion simulate
    --study my_study.toml --out sims/` (its models are fitted, then each `[[simulation]]`
    is run with the file's seed).
    """
    from policydiffusion.errors import InvalidOptionError
    from policydiffusion.simulate.spec import simulate_from_spec

    if sum(x is not None for x in (fit, mechanism, study_file)) != 1:
        raise InvalidOptionError("give one of --fit (with --dataset and --policy), --mechanism "
                                 "or --study.")
    if study_file is not None:
        if seed is not None:
            raise InvalidOptionError("--seed is not used with --study: the study file sets the "
                                     "seed ([study] seed, or seed in a [[simulation]]).")
        _from_study_file(study_file, out)
        return
    if seed is None:
        raise InvalidOptionError("--seed is required: the same seed gives the same data.")
    if mechanism is not None:
        spec = {"mechanism": mechanism, "effect": effect, "n_units": units, "n_periods": periods,
                "baseline": baseline, "link": link, "seed": seed}
        res = simulate_from_spec(spec)
    else:
        if dataset is None or policy is None:
            raise InvalidOptionError("--fit needs --dataset (the study) and --policy.")
        from policydiffusion.datasets import load_dataset

        study = load_dataset(dataset)
        if not hasattr(study, "adoptions_of"):
            raise InvalidOptionError(f"dataset {dataset!r} is not a study.")
        terms = []
        if term:
            from policydiffusion.cli.riskset import parse_term

            terms = [parse_term(t) for t in term]
        res = simulate_from_spec({"fit": str(fit), "policy": policy, "terms": terms,
                                  "draws": draws, "seed": seed}, study=study)
    write_csv(res["adoptions"], out)
    typer.echo(f"wrote {len(res['adoptions'])} simulated adoptions to {out}")
    if curves is not None:
        if "curves" not in res:
            raise InvalidOptionError("--curves needs --fit (observed vs simulated).")
        write_csv(res["curves"], curves)
        typer.echo(f"wrote observed vs simulated cumulative shares to {curves}")


def _from_study_file(path: Path, out: Path) -> None:
    """Fit a study file's models and run its ``[[simulation]]`` entries into ``out``."""
    from policydiffusion.errors import InvalidOptionError
    from policydiffusion.pipeline import analyse
    from policydiffusion.studyfile import load_study_file

    state = analyse(load_study_file(path))
    if not state.simulations:
        raise InvalidOptionError(f"{path} has no [[simulation]] entries; add one (see "
                                 "docs/study-file.md) or use --fit / --mechanism.")
    out.mkdir(parents=True, exist_ok=True)
    for sim in state.simulations:
        stem = safe_filename(sim.key)
        draws, curves = out / f"{stem}_adoptions.csv", out / f"{stem}_curves.csv"
        write_csv(sim.adoptions, draws)
        write_csv(sim.frame, curves)
        typer.echo(f"{sim.key}: {sim.adoptions.height} simulated adoptions -> {draws}; "
                   f"observed vs simulated cumulative shares -> {curves}")
