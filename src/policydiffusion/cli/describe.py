"""`policydiffusion describe`: adoption curves, fits, take-off, speed, maps and tables."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from policydiffusion.cli._app import app
from policydiffusion.cli._study_options import with_study


@app.command("describe")
@with_study
def describe_command(
    study,
    policy: List[str] = typer.Option([], help="Policy id to describe; repeatable (default: all)."),
    out: Optional[Path] = typer.Option(None, help="Folder for CSV tables and PNG/SVG figures."),
    json_file: Optional[Path] = typer.Option(None, "--json", help="Write one JSON entry per policy."),
    lang: str = typer.Option("en", help="Figure labels: en or zh."),
    method: str = typer.Option("mle", help="Curve fitting: mle or nls."),
    relation_name: str = typer.Option("contiguity", "--relation-name",
                                      help="Relation for Moran's I and the neighbour share."),
    permutations: int = typer.Option(999, help="Moran's I permutations."),
    seed: int = typer.Option(0, help="Seed for the permutations."),
) -> None:
    """Describe diffusion: curves, S-curve/Bass fits, take-off, speed, clustering, figures.

    Example: `policydiffusion describe --dataset spid --policy antibully --out figs --json d.json`
    """
    from policydiffusion.curves._data import policy_list
    from policydiffusion.errors import InvalidOptionError, check_choice

    check_choice("lang", lang, ("en", "zh"))
    ids = policy_list(study, list(policy) or None)  # unknown ids raise here, before any work
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
        from policydiffusion.safe_output import write_csv

        write_csv(pd.concat(curves), out / "adoption_curves.csv")
        write_csv(pd.concat(cats), out / "adopter_categories.csv")
        write_csv(speed[speed["policy"].isin(ids)], out / "speed.csv")
        write_csv(pd.DataFrame(idx), out / "diffusion_index.csv")
        if fits:
            write_csv(pd.concat(fits), out / "curve_fits.csv")
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

    from policydiffusion.safe_output import safe_filename

    safe = safe_filename(d.policy)
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
