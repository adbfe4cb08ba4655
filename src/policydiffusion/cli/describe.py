"""`policydiffusion describe`: adoption curves, fits, take-off, speed, maps and tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from policydiffusion.cli._app import app
from policydiffusion.cli.validate import study_from_options


@app.command("describe")
def describe_command(
    adoptions: Optional[Path] = typer.Argument(None, help="Adoption records (as for `validate`)."),
    dataset: Optional[str] = typer.Option(None, help="Use a shipped study instead: 'spid'."),
    policy: List[str] = typer.Option([], help="Policy id to describe; repeatable (default: all)."),
    out: Optional[Path] = typer.Option(None, help="Folder for CSV tables and PNG/SVG figures."),
    json_file: Optional[Path] = typer.Option(None, "--json", help="Write one JSON entry per policy."),
    lang: str = typer.Option("en", help="Figure labels: en or zh."),
    method: str = typer.Option("mle", help="Curve fitting: mle or nls."),
    relation_name: str = typer.Option("contiguity", "--relation-name",
                                      help="Relation for Moran's I and the neighbour share."),
    permutations: int = typer.Option(999, help="Moran's I permutations."),
    seed: int = typer.Option(0, help="Seed for the permutations."),
    units: Optional[Path] = typer.Option(None, help="Units table (one row per unit)."),
    policies: Optional[Path] = typer.Option(None, help="Policy metadata table."),
    covariates: Optional[Path] = typer.Option(None, help="Unit x period covariate panel."),
    relation: List[str] = typer.Option([], help="NAME=FILE[:SOURCE_COL:TARGET_COL]; repeatable."),
    policy_col: str = typer.Option("policy", help="Column holding the policy id."),
    unit_col: str = typer.Option("unit", help="Column holding the unit id."),
    time_col: str = typer.Option("time", help="Column holding the adoption time."),
    layout: str = typer.Option("long", help="long (one row per adoption) or wide (unit x policy)."),
    granularity: str = typer.Option("year", help="year, quarter, month or period."),
    start: Optional[str] = typer.Option(None, help="First period observed (default: first adoption)."),
    end: Optional[str] = typer.Option(None, help="Last period observed (default: last adoption)."),
) -> None:
    """Describe diffusion: curves, S-curve/Bass fits, take-off, speed, clustering, figures.

    Example: `policydiffusion describe --dataset spid --policy antibully --out figs --json d.json`
    """
    from policydiffusion.errors import InvalidOptionError, check_choice

    check_choice("lang", lang, ("en", "zh"))
    if dataset is not None:
        check_choice("dataset", dataset, ("spid",))
        if adoptions is not None:
            raise InvalidOptionError("give either an ADOPTIONS file or --dataset, not both.")
        from policydiffusion.datasets import spid_study

        study = spid_study()
    elif adoptions is None:
        raise InvalidOptionError("give an ADOPTIONS file or --dataset spid.")
    else:
        study = study_from_options(adoptions, units, policies, covariates, relation, policy_col,
                                   unit_col, time_col, layout, granularity, start, end)
    ids = list(policy) or study.policy_ids
    for p in ids:
        study.policy_window(p)  # unknown ids raise here, before any work
    if out is None and json_file is None:
        raise InvalidOptionError("nothing to write: pass --out DIR and/or --json FILE.")
    from policydiffusion.curves import describe_policy, policy_speed

    speed = policy_speed(study)
    rel = relation_name if relation_name in study.relations else None
    entries, curves, fits, cats, idx = [], [], [], [], []
    for p in ids:
        d = describe_policy(study, p, method=method, relation=rel, permutations=permutations, seed=seed,
                            speed_table=speed)
        entries.append(d.to_dict())
        curves.append(d.curve)
        cats.append(d.categories)
        idx.append({"policy": p, **d.index})
        if d.fits is not None:
            fits.append(d.fits.tidy().assign(policy=p))
        if out is not None:
            _figures(study, d, out, lang)
        typer.echo(d.summary())
    if out is not None:
        import pandas as pd

        out.mkdir(parents=True, exist_ok=True)
        pd.concat(curves).to_csv(out / "adoption_curves.csv", index=False)
        pd.concat(cats).to_csv(out / "adopter_categories.csv", index=False)
        speed[speed["policy"].isin(ids)].to_csv(out / "speed.csv", index=False)
        pd.DataFrame(idx).to_csv(out / "diffusion_index.csv", index=False)
        if fits:
            pd.concat(fits).to_csv(out / "curve_fits.csv", index=False)
        typer.echo(f"tables and figures written to {out}")
    if json_file is not None:
        json_file.parent.mkdir(parents=True, exist_ok=True)
        json_file.write_text(json.dumps({e["policy"]: e for e in entries}, indent=1, ensure_ascii=False),
                             encoding="utf-8")
        typer.echo(f"JSON written to {json_file}")


def _figures(study, d, out: Path, lang: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from policydiffusion.report.figures import (plot_adoption_curve, plot_adoption_timeline, plot_choropleth,
                                                plot_hazard, save_figure)

    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in d.policy)
    fmts = ("png", "svg")
    ax = plot_adoption_curve(d.curve, d.fits, lang=lang, takeoff=d.takeoff.get("takeoff_period"))
    save_figure(ax, out / f"{safe}_curve", fmts)
    plt.close(ax.figure)
    ax = plot_hazard(d.curve, lang=lang)
    save_figure(ax, out / f"{safe}_hazard", fmts)
    plt.close(ax.figure)
    ax = plot_choropleth(study, d.policy, lang=lang)
    save_figure(ax, out / f"{safe}_map", fmts)
    plt.close(ax.figure)
    ax = plot_adoption_timeline(study, d.policy, lang=lang)
    save_figure(ax, out / f"{safe}_timeline", fmts)
    plt.close(ax.figure)
