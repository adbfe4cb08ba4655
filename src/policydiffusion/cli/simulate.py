"""`policydiffusion simulate`: adoption data from a fitted model or a simple mechanism."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from policydiffusion.cli._app import app


@app.command("simulate")
def simulate_command(
    out: Path = typer.Option(..., "--out", "-o", help="CSV of simulated adoptions to write."),
    seed: int = typer.Option(..., help="Random seed (the same seed gives the same data)."),
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
    --periods 12 --seed 1 --out sim.csv`.
    """
    from policydiffusion.errors import InvalidOptionError
    from policydiffusion.simulate.spec import simulate_from_spec

    if (fit is None) == (mechanism is None):
        raise InvalidOptionError("give either --fit (with --dataset and --policy) or --mechanism.")
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
            try:
                from policydiffusion.cli.riskset import parse_term
            except ImportError:  # pragma: no cover - before the riskset CLI lands
                raise InvalidOptionError("--term needs the riskset command line module.") from None
            terms = [parse_term(t) for t in term]
        res = simulate_from_spec({"fit": str(fit), "policy": policy, "terms": terms,
                                  "draws": draws, "seed": seed}, study=study)
    res["adoptions"].to_csv(out, index=False)
    typer.echo(f"wrote {len(res['adoptions'])} simulated adoptions to {out}")
    if curves is not None:
        if "curves" not in res:
            raise InvalidOptionError("--curves needs --fit (observed vs simulated).")
        res["curves"].to_csv(curves, index=False)
        typer.echo(f"wrote observed vs simulated cumulative shares to {curves}")
