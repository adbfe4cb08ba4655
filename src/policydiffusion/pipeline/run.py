"""``run_study``: run every analysis of a study file and write the report."""

from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Iterator, Mapping

from policydiffusion._spelling import spelled_as
from policydiffusion.pipeline._atomic import output_folder
from policydiffusion.pipeline.assemble import all_exclusions, build_document
from policydiffusion.pipeline.data import load_data
from policydiffusion.pipeline.describe import describe_step
from policydiffusion.pipeline.effects import effects_json, effects_step
from policydiffusion.pipeline.interpret import heterogeneity_step, moderation_step
from policydiffusion.pipeline.modes import modes_json, modes_step
from policydiffusion.pipeline.models import fit_models
from policydiffusion.pipeline.network import network_step
from policydiffusion.pipeline.outputs import provenance, results_dict, write_json
from policydiffusion.pipeline.preflight import check_models, check_network
from policydiffusion.pipeline.reinvention import reinvention_step
from policydiffusion.pipeline.risksets import build_risksets
from policydiffusion.pipeline.simulation import simulation_step
from policydiffusion.pipeline.state import RunState
from policydiffusion.report.i18n import check_language
from policydiffusion.studyfile import StudyFile, load_study_file

__all__ = ["RunResult", "run_study", "analyse"]


@dataclass(frozen=True)
class RunResult:
    """What a run wrote, and its results."""

    out: Path
    report: Path
    results: Path
    run: Path
    figures: tuple[Path, ...]
    tables: tuple[Path, ...]
    state: RunState
    seconds: float

    def summary(self) -> str:
        """A few lines for the terminal."""
        s = self.state
        def n(count: int, one: str, many: str) -> str:
            return f"{count} {one if count == 1 else many}"

        lines = [f"{s.sf.path.name}: {n(len(s.models), 'model', 'models')}, "
                 f"{n(len(s.risksets), 'risk set', 'risk sets')}, "
                 f"{n(len(s.descriptions), 'policy', 'policies')} described"
                 + (", SIMULATED data" if s.loaded.simulated else "") + f" ({self.seconds:.1f} s)",
                 f"  report:  {self.report}",
                 f"  tables:  {len(self.tables)} files in {self.out / 'tables'}",
                 f"  figures: {len(self.figures)} files in {self.out / 'figures'}",
                 f"  results: {self.results}", f"  run log: {self.run}"]
        return "\n".join(lines)


class _Progress:
    """A rich progress bar over the steps of a run (silent when disabled)."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled = enabled
        self._p = None
        self._task = None
        self.total = total

    @contextmanager
    def running(self, title: str) -> Iterator["_Progress"]:
        if not self.enabled:
            yield self
            return
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("[bold]{task.fields[title]}"), BarColumn(),
                      TextColumn("{task.completed}/{task.total}"), TimeElapsedColumn(),
                      TextColumn("{task.description}"), transient=False) as p:
            self._p = p
            self._task = p.add_task("", total=self.total, title=title)
            yield self
            p.update(self._task, completed=self.total, description="done")

    def tick(self, what: str) -> None:
        if self._p is not None:
            self._p.update(self._task, advance=1, description=what)


def _n_steps(sf: StudyFile) -> int:
    """Roughly how many ticks a run makes (for the progress bar)."""
    def n_pol(r: object) -> int:
        pols = getattr(r, "policies", None) or sf.policies.focus or ()
        return 1 if getattr(r, "design", "") == "pooled" else max(1, len(pols))
    fits = sum(n_pol(r) for m in sf.models for r in sf.risksets if r.name == m.riskset)
    described = len(sf.describe.policies or sf.policies.focus or ()) if sf.describe.enabled else 0
    figures = 4 + 2 * len(sf.describe.map_policies or ()) + len(sf.moderation) \
        + 2 * len(sf.heterogeneity) + len(sf.simulations)
    return (2 + described + sum(n_pol(r) for r in sf.risksets) + fits + len(sf.moderation)
            + len(sf.heterogeneity) + len(sf.simulations) + figures)


def analyse(sf: StudyFile, *, progress: _Progress | None = None) -> RunState:
    """Run every analysis of a validated study file (no files written)."""
    tick = progress.tick if progress is not None else (lambda _: None)
    seed = sf.study.seed
    tick("loading data")
    with spelled_as("study file"):  # a loading hint names the study-file key
        loaded = load_data(sf)
    study = loaded.study
    check_models(study, sf)  # a misspelt formula variable stops the run here, not at step 14
    check_network(study, sf)
    descriptions = describe_step(study, sf, seed=seed, tick=tick)
    tick("network inference")
    study, network = network_step(study, sf, seed=seed)
    study, reinvention = reinvention_step(study, sf, seed=seed)
    built = build_risksets(study, sf, tick=tick)
    fitted = fit_models(sf, built, tick=tick)
    state = RunState(sf=sf, loaded=loaded, study=study, seed=seed, descriptions=descriptions,
                     network=network, reinvention=reinvention, risksets=tuple(built),
                     models=tuple(fitted))
    state = replace(state, moderation=moderation_step(state, tick=tick),
                    heterogeneity=heterogeneity_step(state, tick=tick))
    return replace(state, simulations=simulation_step(state, tick=tick),
                   modes=modes_step(study, sf), effects=effects_step(study, sf))


def run_study(path: str | Path, out: str | Path, *, lang: str | None = None,
              overrides: Mapping[str, Any] | None = None, progress: bool = False) -> RunResult:
    """Run a study file and write report.html, tables/, figures/, results.json and run.json
    (and modes.json for a study file with a ``[modes]`` table; an ``[effects]`` table's
    estimates go to results.json under ``_effects``).

    Parameters
    ----------
    path
        The study file (TOML).
    out
        Output folder. It is written as a whole: the run writes into a temporary folder
        beside it and replaces ``out`` only when everything is written, so an
        interrupted or failed run leaves ``out`` as it was; a second run on the same
        folder is refused while the first holds its lock. A folder with files that are
        not an earlier run is refused before any work.
    lang
        ``"en"`` or ``"zh"``; default: the study file's ``report.language``.
    overrides
        Dotted keys replacing values of the study file, e.g.
        ``{"policies.focus": ["lott"]}`` (see :func:`~policydiffusion.studyfile.load_study_file`).
    progress
        Show progress bars (rich) on the terminal.

    Returns
    -------
    RunResult
    """
    t0 = time.perf_counter()
    sf = load_study_file(path, overrides=overrides)
    lang = lang or sf.report.language
    check_language(lang)
    out = Path(out)
    bar = _Progress(progress, total=_n_steps(sf))
    from policydiffusion.report.html import write_report

    with output_folder(out) as tmp, bar.running(sf.path.name):
        state = analyse(sf, progress=bar)
        exclusions = all_exclusions(state)
        prov = provenance(state, lang=lang, exclusions=exclusions)
        doc = build_document(state, provenance=prov, exclusions=exclusions)
        files = write_report(doc, tmp, lang=lang, figure_formats=sf.report.figure_formats,
                             table_formats=sf.report.table_formats,
                             progress=lambda key: bar.tick(f"figure {key}"))
        if state.modes is not None:
            write_json(modes_json(state.modes), tmp / "modes.json")
        write_json({**results_dict(state), **({"_effects": effects_json(state.effects)}
                                              if state.effects is not None else {})},
                   tmp / "results.json")
        write_json(prov, tmp / "run.json")  # last: its presence marks a finished run

    def final(p: Path) -> Path:
        return out / Path(p).relative_to(tmp)

    return RunResult(out=out, report=out / "report.html", results=out / "results.json",
                     run=out / "run.json", figures=tuple(map(final, files.figures)),
                     tables=tuple(map(final, files.tables)), state=state,
                     seconds=time.perf_counter() - t0)
