"""`policydiffusion netinf`: infer a diffusion network from adoption cascades."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer

from policydiffusion.cli._app import app
from policydiffusion.safe_output import write_csv


def parse_params(text: str):
    """'auto' -> None; '0.5' -> (0.5,); '1.2,0.8' -> (1.2, 0.8)."""
    from policydiffusion.errors import InvalidOptionError

    if text.strip().lower() == "auto":
        return None
    try:
        return tuple(float(v) for v in text.split(","))
    except ValueError:
        raise InvalidOptionError(f"--params must be 'auto' or numbers separated by commas, "
                                 f"e.g. 0.5 or 1.2,0.8; got {text!r}.") from None


@app.command("netinf")
def netinf_command(
    adoptions: Path = typer.Argument(..., help="Long table of events: CSV, Parquet, Excel or Stata."),
    cascade_col: str = typer.Option("policy", help="Column holding the cascade (policy) id."),
    node_col: str = typer.Option("state", help="Column holding the node (unit) id."),
    time_col: str = typer.Option("adoption_year", help="Column holding the event time."),
    model: str = typer.Option("exponential", help="exponential, rayleigh, log-normal or power-law."),
    params: str = typer.Option("auto", help="auto, or VALUE[,VALUE] (log-normal: mu,sigma; power-law: alpha,delta)."),
    params_init: str = typer.Option("corrected", help="corrected or package (reproduce NetworkInference)."),
    p_value: Optional[float] = typer.Option(None, "--p-value", help="Stop at the first edge with p >= this cutoff (kept)."),
    edges: Optional[int] = typer.Option(None, "--edges", help="Infer exactly this many edges."),
    p_value_method: Optional[str] = typer.Option(None, help="corrected (default; METHODS 5.10) or package (NetworkInference's numbers; the default with --compat networkinference)."),
    compat: Optional[str] = typer.Option(None, help="networkinference: reproduce NetworkInference 1.2.5 exactly (zero-improvement edges added to reach --edges, the package's p-values)."),
    objective: str = typer.Option("networkinference", help="networkinference (beta 0.5, epsilon 1e-10) or snap (SNAP's C++ netinf: no beta, epsilon 1e-64)."),
    ties: str = typer.Option("forbid", help="forbid (no edge between equal times) or delay."),
    tie_delay: float = typer.Option(0.5, help="Delay given to tied events with --ties delay."),
    node_order: str = typer.Option("sorted", help="sorted, or input (the package's order: reproduces its tie-breaking exactly)."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write model, params and edges as JSON."),
    trees: Optional[Path] = typer.Option(None, "--trees", help="Write the inferred parent of every adopter (CSV)."),
    encoding: Optional[str] = typer.Option(None, help="Text encoding of the CSV (default utf-8; e.g. gb18030)."),
) -> None:
    """Infer who learns from whom (netinf, NetworkInference's or SNAP's objective).

    Give exactly one of --p-value and --edges. No edge that improves nothing is added
    unless --compat networkinference asks for the package's exact behaviour. Example
    (SPID, the package's vignette run: 686 edges):
    `policydiffusion netinf spid_policy_adoptions.csv --p-value 0.05 --compat networkinference --json net.json`
    """
    from policydiffusion.errors import InvalidOptionError
    from policydiffusion.networks import cascades_from_table, netinf

    if (p_value is None) == (edges is None):
        raise InvalidOptionError("give exactly one of --p-value CUTOFF and --edges N.")
    casc = cascades_from_table(adoptions, cascade_col=cascade_col, node_col=node_col,
                               time_col=time_col, order=node_order, encoding=encoding)
    res = netinf(casc, model=model, params=parse_params(params), params_init=params_init,
                 n_edges=edges, p_value_cutoff=p_value, p_value=p_value_method, ties=ties,
                 tie_delay=tie_delay, trees=trees is not None, compat=compat, objective=objective)
    typer.echo(str(res.summary()))
    if json_out is not None:
        Path(json_out).write_text(json.dumps(res.to_dict(), indent=1))
        typer.echo(f"wrote {json_out}")
    if trees is not None:
        write_csv(res.trees, trees)
        typer.echo(f"wrote {trees}")
