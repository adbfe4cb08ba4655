"""`policydiffusion riskset`: build a monadic, directed-dyad or pooled risk set with terms."""

from __future__ import annotations

import inspect
import sys
import warnings
from dataclasses import replace
from pathlib import Path
from typing import List, Optional

import typer

from policydiffusion._suggest import did_you_mean
from policydiffusion.cli._app import app
from policydiffusion.cli._study_options import with_study
from policydiffusion.errors import DeprecatedSpellingWarning, InvalidOptionError, check_choice

DESIGNS = ("monadic", "dyadic", "pooled")


def _value(text: str) -> object:
    """Command-line text to a Python value: numbers, true/false, none, A+B lists."""
    low = text.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "none":
        return None
    if "+" in text:
        return [_value(t) for t in text.split("+")]
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text.strip()


def parse_term(spec: str):
    """``NAME[:arg,key=value,...,name=COLUMN]`` -> a Term (``as=COLUMN`` is deprecated).

    Examples
    --------
    >>> parse_term("neighbors_adopted:relation=contiguity,kind=count").name
    'neighbors_adopted_count_l1'
    >>> parse_term("covariate:gdp,lag=1,name=gdp_lag").name
    'gdp_lag'
    """
    from policydiffusion.terms import BUILDERS

    name, _, rest = spec.partition(":")
    name = name.strip()
    if name not in BUILDERS:
        hint = did_you_mean(name, BUILDERS, style="sentence")
        raise InvalidOptionError(f"unknown term {name!r}.{hint} Terms: {', '.join(BUILDERS)}.")
    args: list[object] = []
    kwargs: dict[str, object] = {}
    for item in filter(None, (p.strip() for p in rest.split(","))):
        key, eq, val = item.partition("=")
        if not eq:
            args.append(_value(key))
        elif key.strip() in ("as", "name"):  # a column name stays text, even "2020"
            if key.strip() == "as":
                warnings.warn(DeprecatedSpellingWarning(
                    f"--term {spec!r}: as= is deprecated; write name={val.strip()} "
                    "(as in Python and the study file)."),
                    stacklevel=2)
            kwargs["name"] = val.strip()
        else:
            kwargs[key.strip()] = _value(val)
    builder = BUILDERS[name]
    try:
        inspect.signature(builder).bind(*args, **kwargs)
    except TypeError as exc:
        raise InvalidOptionError(f"--term {spec!r}: {exc}; {name} takes "
                                 f"{inspect.signature(builder)}.") from None
    return builder(*args, **kwargs)


def _risk_start(text: str) -> str | int:
    try:
        return int(text)
    except ValueError:
        return text


_TERM_HELP = ("A diffusion term, repeatable: NAME or NAME:value,opt=value (name=COLUMN renames "
              "it; list values are joined with +). Term names are listed above.")


@app.command("riskset")
@with_study
def riskset_command(
    study,
    design: str = typer.Argument(..., help="monadic (unit-period rows for one policy), dyadic "
                                           "(directed dyad-period rows) or pooled (monadic rows "
                                           "stacked over several or all policies)."),
    policy: List[str] = typer.Option([], help="Policy id; repeat for a pooled risk set."),
    all_policies: bool = typer.Option(False, "--all-policies",
                                      help="Every policy of the study (default for pooled)."),
    term: List[str] = typer.Option([], help=_TERM_HELP),
    output: Optional[Path] = typer.Option(None, "--output", "-o",
                                          help="Where to write the rows: FILE.parquet, FILE.csv, "
                                               "FILE.dta (Stata 14+, column descriptions as "
                                               "variable labels), or a folder (a Parquet dataset, one file per "
                                               "batch of policies: best for big dyadic builds). "
                                               "Dyadic rows stream to Parquet unsorted (CSV and "
                                               "Stata files are sorted)."),
    conditional: bool = typer.Option(True, "--conditional/--full",
                                     help="Dyadic: only sources that adopted before t "
                                          "(Boehmke's conditional risk set) or every other unit "
                                          "(Volden's full risk set)."),
    risk_start: str = typer.Option("first_adoption",
                                   help="Start of risk: first_adoption, opening (policies "
                                        "table) or a period such as 1990."),
    first_period_adopters: str = typer.Option("event", help="event: first-period adopters are "
                                                            "events; skip: start one period "
                                                            "later and exclude them."),
    risk_not_before: Optional[int] = typer.Option(
        None, help="No policy's risk starts before this period: start = max(start of risk, "
                   "this); e.g. --first-period-adopters skip --risk-not-before 1960 (DHB 2015)."),
    late_entry: bool = typer.Option(True, "--late-entry/--no-late-entry",
                                    help="Units entering after the start join at their entry "
                                         "period (or are excluded)."),
    unit_attribute: List[str] = typer.Option([], help="Units-table column to carry onto every "
                                                      "row; repeatable."),
    policies_per_file: int = typer.Option(8, help="Policies per file when writing a folder."),
    engine: str = typer.Option("local", help="local (this process) or dask (one Dask task per "
                               "policy and block of --partition-periods periods, one Parquet "
                               "file each in the --output folder; needs pip install "
                               "\"policydiffusion[dask]\"; see docs/dask.md)."),
    scheduler: Optional[str] = typer.Option(None, help="With --engine dask: the scheduler "
                                            "address (default: a new LocalCluster)."),
    partition_periods: Optional[int] = typer.Option(None, help="With --engine dask: periods "
                                                    "per partition (default: all of a "
                                                    "policy's)."),
) -> None:
    """Build an event-history risk set with diffusion terms and write it to Parquet or CSV.

    Examples:

    `policydiffusion riskset monadic --dataset spid --policy aborparc --term neighbors_adopted
    --term national_share --term duration_poly -o aborparc.parquet`

    `policydiffusion riskset dyadic --dataset spid --all-policies --term contiguous -o dyads/`

    `policydiffusion riskset pooled adoptions.csv --units states.csv --relation
    contiguity=borders.csv:state:neighbor --term neighbors_adopted -o pooled.csv`

    Terms (`--term`): neighbors_adopted, region_share, national_share, region_count,
    national_count, leaders_adopted,
    event_in_force, parent_adopted, exposure, covariate, duration, duration_poly,
    duration_spline, period_dummies; for dyadic risk sets also relation_count,
    source_time_since_adoption, attribute_difference, same_group, contiguous. Options
    follow the Python builders, e.g. `--term neighbors_adopted:relation=contiguity,kind=share`,
    `--term neighbors_adopted:relation=netinf,kind=count,relation_lag=0,adoption_lag=0`,
    `--term leaders_adopted:leaders=CA+NY`, `--term covariate:gdp,lag=1`,
    `--term national_share:lag=2,name=natl`.

    Prints the number of rows and events and every exclusion with its reason, and what
    each column holds.
    """
    from policydiffusion.riskset import dyadic_riskset, monadic_riskset

    check_choice("design", design, DESIGNS)
    if all_policies or (design == "pooled" and not policy):
        chosen = study.policy_ids
    elif policy:
        chosen = list(policy)
    else:
        raise InvalidOptionError(f"name the policy with --policy ID (or --all-policies); "
                                 f"the study has e.g. {study.policy_ids[:5]}.")
    terms = [parse_term(t) for t in term]
    common = dict(policies=chosen, terms=terms, start=_risk_start(risk_start),
                  first_period_adopters=first_period_adopters, late_entry=late_entry,
                  unit_attributes=unit_attribute, lazy=True, not_before=risk_not_before)
    check_choice("--engine", engine, ("local", "dask"))
    if engine == "dask":
        if output is None or output.suffix:
            raise InvalidOptionError("a Dask build (--engine dask) writes a Parquet folder: "
                                     "give --output FOLDER (no suffix).")
        common.update(engine=engine, scheduler=scheduler, partition_periods=partition_periods,
                      output=output, progress=engine == "dask" and sys.stderr.isatty())
    if design == "dyadic":
        # Parquet streams unsorted in bounded memory; files people open are sorted
        sort = output is not None and output.suffix.lower() in (".csv", ".dta")
        rs = dyadic_riskset(study, conditional=conditional, sort=sort, **common)
    else:
        rs = monadic_riskset(study, **common)

    if engine == "dask":
        rs = rs.to_riskset()  # a lazy scan of the folder the tasks wrote
    elif output is not None:
        import polars as pl

        suffix = output.suffix.lower()
        if suffix == ".csv":
            rs.sink_csv(output)
            written = pl.scan_csv(output, schema=rs.plan.collect_schema())
        elif suffix == ".parquet":
            rs.sink_parquet(output)
            written = pl.scan_parquet(output)
        elif suffix == ".dta":
            written = _write_stata(rs, output)
        elif suffix:
            raise InvalidOptionError(f"--output {output}: use a .parquet, .csv or .dta (Stata) file, "
                                     "or a folder (no suffix) for a Parquet dataset.")
        else:
            rs.sink_parquet_dataset(output, policies_per_file=policies_per_file)
            written = pl.scan_parquet(output / "*.parquet")
        rs = replace(rs, plan=written)
    typer.echo(rs.summary())
    typer.echo("  columns:")
    for col, meta in rs.column_meta.items():
        typer.echo(f"    {col}: {meta['description']}")
    typer.echo(f"  written to {output}" if output is not None else
               "  (nothing written; pass --output FILE.parquet, FILE.csv, FILE.dta or a folder)")


def _write_stata(rs, output: Path):
    """Write the rows as a Stata 14+ file (Unicode), the column descriptions as variable
    labels; returns the written rows as a lazy frame. Stata names are at most 32
    characters of letters, digits and underscores: other names are refused, not renamed."""
    import polars as pl

    df = rs.plan.collect().to_pandas()
    bad = [c for c in df.columns if len(c) > 32 or not c.isidentifier() or not c.isascii()]
    if bad:
        raise InvalidOptionError(f"--output {output}: Stata cannot hold the column name(s) {bad} "
                                 "(at most 32 ASCII letters, digits or _); write .parquet or .csv.")
    labels = {c: str(m.get("description", ""))[:80] for c, m in rs.column_meta.items() if c in df.columns}
    df.to_stata(output, write_index=False, version=118, variable_labels=labels)
    return pl.from_pandas(df).lazy()

