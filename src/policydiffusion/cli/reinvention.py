"""`policydiffusion reinvention`: how a policy's text changes as it diffuses."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Optional

import typer

from policydiffusion.cli._app import app


def _plain(v):
    """JSON-safe scalar: NaN and None become null, numpy numbers Python numbers."""
    if v is None:
        return None
    if hasattr(v, "item"):
        v = v.item()
    return None if isinstance(v, float) and math.isnan(v) else v


def _records(frame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict("records")]


@app.command("reinvention")
def reinvention_command(
    texts: Path = typer.Argument(..., help="Folder POLICY/UNIT.txt|.md, or a table with policy, unit, text."),
    adoptions: Path = typer.Option(..., "--adoptions", help="Adoptions: policy, unit and a date or year column."),
    time_col: Optional[str] = typer.Option(None, help="Adoption time column (default: date, year or time)."),
    candidates: str = typer.Option("auto", help="auto, all, or lsh (MinHash/LSH candidate pairs)."),
    tokenizer: str = typer.Option("default", help="default (words; Chinese characters) or jieba."),
    reference: str = typer.Option("first", help="Drift against the first or the central text."),
    seed: int = typer.Option(1, help="Seed of the LSH hash permutations."),
    json_out: Optional[Path] = typer.Option(None, "--json", help="Write sources, pairs counts and drift as JSON."),
    pairs_out: Optional[Path] = typer.Option(None, "--pairs", help="Write the pair table (CSV)."),
    figure: Optional[Path] = typer.Option(None, "--figure", help="Write the drift figure (.svg, .png or .pdf)."),
    lang: str = typer.Option("en", help="Figure labels: en or zh."),
    progress: bool = typer.Option(False, "--progress", help="Show a progress bar while aligning."),
) -> None:
    """Align adopters' texts, find each one's likely source and measure drift.

    Example: `policydiffusion reinvention texts/ --adoptions adoptions.csv --json out.json`
    """
    from policydiffusion.reinvention import (likely_sources, pair_similarity, read_texts,
                                             reinvention_index)

    pt = read_texts(texts, adoptions=adoptions, time_col=time_col)
    typer.echo(pt.summary())
    pairs = pair_similarity(pt, candidates=candidates, tokenizer=tokenizer, seed=seed,
                            progress=progress)
    typer.echo(pairs.summary())
    src = likely_sources(pairs, pt)
    typer.echo("strongest source links:\n" + src.summary())
    drift = reinvention_index(src, reference=reference, pairs=pairs)
    typer.echo(drift.summary())
    if json_out is not None:
        payload = {
            "sources": _records(src.table),
            "reinvention_index": _records(drift.table[["policy", "reference", "n", "n_used", "index",
                                                        "slope", "rho", "rho_p", "no_trend"]]),
            "pairs": _records(pairs.counts),
            "texts": {"n": len(pt.table), "missing": pt.missing,
                      "exclusions": [{"reason": e.reason, "count": e.count,
                                      "examples": list(e.examples)} for e in pt.exclusions],
                      "truncated": _records(pt.table.loc[pt.table["truncated"],
                                                         ["policy", "unit", "truncation"]])},
            "options": pairs.options,
        }
        Path(json_out).write_text(json.dumps(payload, indent=1, ensure_ascii=False),
                                  encoding="utf-8")
        typer.echo(f"wrote {json_out}")
    if pairs_out is not None:
        from policydiffusion.safe_output import write_csv

        write_csv(pairs.pairs, pairs_out)  # unit and policy names neutralised for spreadsheets
        typer.echo(f"wrote {pairs_out}")
    if figure is not None:
        drift.plot(lang=lang).savefig(figure)
        typer.echo(f"wrote {figure}")
