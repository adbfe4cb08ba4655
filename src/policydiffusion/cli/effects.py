"""`policydiffusion effects`: what a policy achieved where it spread (event studies)."""

from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import List, Optional

import typer

from policydiffusion.cli._app import app


def _parse_bins(bins: List[str]) -> list[tuple[int, int]]:
    from policydiffusion.errors import InvalidOptionError

    out = []
    for b in bins:
        lo, sep, hi = b.partition(":")
        try:
            out.append((int(lo), int(hi if sep else lo)))
        except ValueError:
            raise InvalidOptionError(f"--bins takes LO:HI or K (periods since adoption); got {b!r}.") from None
    return out


@app.command("effects")
def effects_command(
    panel: Optional[Path] = typer.Option(None, help="CSV: one row per unit and period with the outcome."),
    adoptions: Optional[Path] = typer.Option(None, help="CSV: policy, unit, time of each adoption."),
    outcome: Optional[str] = typer.Option(None, help="Outcome column of the panel."),
    unit: str = typer.Option("unit", help="Unit column (panel and adoptions)."),
    time: str = typer.Option("time", help="Period column (panel and adoptions)."),
    dates: bool = typer.Option(False, help="TIME holds calendar dates: event time in days."),
    bins: List[str] = typer.Option([], help="Event-time bin LO:HI (or K); repeatable. Negative = leads."),
    control: List[str] = typer.Option([], help="Control column; repeatable."),
    absorb: List[str] = typer.Option([], help="Fixed effects to absorb; repeatable (default: the unit)."),
    cluster: Optional[str] = typer.Option(None, help="Cluster SEs by this column (default robust)."),
    estimator: str = typer.Option("twfe", help="twfe (binned event study), callaway-santanna or sun-abraham."),
    policy: Optional[str] = typer.Option(None, help="Policy for the staggered estimators."),
    example: Optional[str] = typer.Option(None, help="Run a shipped example instead: hsiang-china "
                                          "(it sets the data and design: only --links, --policy, "
                                          "--json and --figure go with it)."),
    links: bool = typer.Option(False, help="Also estimate effects by adoption order (z) and, with "
                               "--edges (or the example), by the share of neighbours already adopted."),
    edges: Optional[Path] = typer.Option(None, help="CSV of neighbour pairs: source, target units."),
    json_file: Optional[Path] = typer.Option(None, "--json", help="Write the estimates as JSON."),
    figure: Optional[Path] = typer.Option(None, help="Write the event-study figure (PNG/SVG/PDF)."),
) -> None:
    """Estimate policy effects from adoption records: event study or staggered DiD.

    Example: `policydiffusion effects --example hsiang-china --figure china.png` reproduces
    Hsiang et al. (2020)'s China estimates; with your data:
    `policydiffusion effects --panel p.csv --adoptions a.csv --outcome y --bins 0:2 --bins 3:10
    --absorb unit --absorb time --cluster unit`.
    """
    import pandas as pd

    from policydiffusion.effects import (HSIANG_BINS, callaway_santanna, event_study,
                                         hsiang_china_panel, sun_abraham)
    from policydiffusion.report.figures.effects import plot_event_study
    from policydiffusion.errors import InvalidOptionError, check_choice

    check_choice("estimator", estimator, ("twfe", "callaway-santanna", "sun-abraham"))
    if example is not None:
        check_choice("example", example, ("hsiang-china",))
        _refuse_overridden(example, panel=panel, adoptions=adoptions, outcome=outcome,
                           unit=unit, time=time, dates=dates, bins=bins, control=control,
                           absorb=absorb, cluster=cluster, estimator=estimator, edges=edges)
        h = hsiang_china_panel()
        p, a, kw = h.panel, h.adoptions, dict(outcome="growth", unit="city", time="date",
                                              bins=HSIANG_BINS, controls=h.controls, cluster="date")
        estimator = "twfe"
        # Neighbours of a city: the other cities of its province in the sample.
        prov = p.drop_duplicates("city")[["city", "adm1_name"]]
        pairs = prov.merge(prov, on="adm1_name")
        edge_table = pairs[pairs["city_x"] != pairs["city_y"]].rename(
            columns={"city_x": "source", "city_y": "target"})
    else:
        if panel is None or adoptions is None or outcome is None:
            raise InvalidOptionError("pass --panel, --adoptions and --outcome (or --example).")
        p = pd.read_csv(panel)
        a = pd.read_csv(adoptions)
        edge_table = pd.read_csv(edges) if edges is not None else None
        if dates:
            for d in (p, a):
                col = time if time in d.columns else "time"
                d[col] = pd.to_datetime(d[col])
        kw = dict(outcome=outcome, unit=unit, time=time, controls=tuple(control),
                  absorb=tuple(absorb) or None, cluster=cluster)
        if estimator == "twfe":
            if not bins:
                raise InvalidOptionError("twfe needs at least one --bins LO:HI.")
            kw["bins"] = _parse_bins(bins)
    payload: dict = {"estimator": estimator}
    if estimator == "twfe":
        res = event_study(p, a, **kw)
        typer.echo(res.summary())
        table = res.tidy()
        payload.update(n_obs=res.n_obs, n_clusters=res.n_clusters, exclusions=dict(res.exclusions))
        plot_input: object = res
        if links:
            payload["links"] = _links(p, a, kw, edge_table, policy)
    else:
        common = dict(outcome=kw["outcome"], unit=kw["unit"], time=kw["time"], policy=policy)
        notes: list[str] = []
        if estimator == "callaway-santanna":
            cs = callaway_santanna(p, a, **common)
            table, notes = cs.aggregate("dynamic"), cs.notes()
            payload["skipped_cells"] = [{"cohort": g, "period": t, "reason": why}
                                        for g, t, why in cs.skipped]
        else:
            table = sun_abraham(p, a, cluster=kw["cluster"], **common)
        typer.echo(table.round(4).to_string(index=False))
        for note in notes:
            typer.echo(f"Note: {note}")
        plot_input = table
    payload["estimates"] = json.loads(table.to_json(orient="records"))
    if json_file is not None:
        json_file.parent.mkdir(parents=True, exist_ok=True)
        from policydiffusion.pipeline.outputs import write_json

        write_json(payload, json_file)  # NaN -> null: valid JSON
        typer.echo(f"JSON written to {json_file}")
    if figure is not None:
        import matplotlib

        matplotlib.use("Agg")
        figure.parent.mkdir(parents=True, exist_ok=True)
        plot_event_study(plot_input, title=example or outcome).savefig(figure, dpi=150)
        typer.echo(f"figure written to {figure}")


def _refuse_overridden(example: str, **given: object) -> None:
    """The example sets its own data and design: options that it would override are
    refused by name rather than silently ignored."""
    from policydiffusion.errors import InvalidOptionError

    params = inspect.signature(effects_command).parameters
    set_ = [f"--{k.replace('_', '-')}" for k, v in given.items()
            if v != params[k].default.default]
    if set_:
        raise InvalidOptionError(
            f"--example {example} sets its own panel, adoptions, outcome, columns, bins, "
            f"controls, clustering, estimator and neighbours: drop {', '.join(set_)} (or drop "
            "--example to use them).")


def _links(p, a, kw: dict, edge_table, policy: Optional[str]) -> list[dict]:
    """Pooled heterogeneity by adoption order and by neighbours' prior adoption, printed."""
    from policydiffusion.effects import adoption_order, effect_heterogeneity, neighbour_adoption_share
    from policydiffusion.errors import StudyDataError

    mods = [("adoption order (z, per SD later)", adoption_order(a, unit=kw["unit"], time=kw["time"]), "z")]
    if edge_table is not None:
        mods.append(("share of neighbours already adopted",
                     neighbour_adoption_share(a, edge_table, unit=kw["unit"], time=kw["time"]), "share"))
    out = []
    for pol in ([policy] if policy else [str(x) for x in a["policy"].unique()]):
        for label, mod, col in mods:
            try:
                h = effect_heterogeneity(p, a, policy=pol, moderator=mod, column=col, **kw)
            except StudyDataError as exc:  # e.g. no variation: say so and go on
                typer.echo(f"{pol} by {label}: not estimable ({str(exc).splitlines()[-1].strip()})")
                continue
            t, test = h.tidy(), h.test()
            typer.echo(f"{pol} by {label}: joint test F={test['statistic']:.2f}, p={test['p_value']:.4g}")
            typer.echo(t.round(4).to_string(index=False))
            out.append({"policy": pol, "moderator": label, "test": test,
                        "estimates": t.to_dict(orient="records")})
    return out
