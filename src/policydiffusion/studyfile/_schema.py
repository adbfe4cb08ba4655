"""The study file as frozen dataclasses: one class per TOML table.

Each field carries its documentation and its kind in ``metadata``, so the
validator (``_validate.py``) and the field-by-field reference
(``docs/study-file.md``, checked by a test) work from one list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

__all__ = [
    "StudyFile", "StudySection", "DataSection", "RelationFile", "PoliciesSection",
    "DescribeSection", "TermSpec", "RiskSetSection", "ModelSection", "ModerationSection",
    "HeterogeneitySection", "NetworkSection", "ReinventionSection", "SimulationSection",
    "ReportSection", "ModesSection", "EffectsSection", "EngineSection", "EFFECTS_PANELS",
    "DATASETS", "DESIGNS", "LINKS", "FIGURES", "FIGURE_FORMATS", "TABLE_FORMATS", "LANGUAGES",
    "SIMULATION_KINDS", "DEFAULT_SEED",
]

DATASETS = ("spid", "china_mobile_gov", "china_prefectures_covid")
DESIGNS = ("monadic", "dyadic", "pooled")
LINKS = ("logit", "probit", "cloglog")
LANGUAGES = ("en", "zh")
FIGURES = ("curves", "hazard", "map", "timeline", "network", "marginal_effects", "heterogeneity",
           "simulation", "reinvention")
FIGURE_FORMATS = ("png", "svg", "pdf")
TABLE_FORMATS = ("csv", "latex", "markdown", "html", "docx")
SIMULATION_KINDS = ("from_fit",)
ON_SEPARATION = ("mark", "firth", "raise")  # as policydiffusion.estimate's on_separation
GRANULARITIES = ("year", "quarter", "month", "period")
DEFAULT_SEED = 20240601
EFFECTS_PANELS = ("hsiang_china",)  # shipped outcome panels, prepared by policydiffusion.effects
EFFECTS_LINKS = ("adoption_order",)
ENGINES = ("local", "dask")  # as policydiffusion.estimate.fit_hazard's engine

#: a text in several languages: {"en": "...", "zh": "..."}; a plain string is English
Label = Mapping[str, str]


def f(default: Any = ..., *, kind: str, doc: str, choices: tuple = (), required: bool = False,
      factory: Any = None, bounds: tuple = ()) -> Any:
    """A dataclass field with its documentation and kind in ``metadata``.

    ``bounds`` = (lowest, highest) for numbers (``None``: unbounded on that side).
    """
    meta = {"kind": kind, "doc": doc, "choices": choices, "required": required, "bounds": bounds}
    if factory is not None:
        return field(default_factory=factory, metadata=meta)
    return field(default=None if default is ... else default, metadata=meta)


@dataclass(frozen=True)
class StudySection:
    """``[study]``: what the study is."""

    title: Label = f(kind="label", doc="Title of the study and of the report (text, or "
                     "`{en = \"...\", zh = \"...\"}`).", required=True)
    description: Label = f(kind="label", doc="A paragraph shown under the title.", factory=dict)
    authors: tuple = f(kind="strlist", doc="Author names shown in the report header.", factory=tuple)
    seed: int = f(DEFAULT_SEED, kind="int", bounds=(0, 2**32 - 1),
                  doc="Seed of every random step (network inference ties, simulations); recorded "
                      "in run.json.")


@dataclass(frozen=True)
class RelationFile:
    """``[data.relations.NAME]``: one relation read from a file."""

    name: str = f(kind="str", doc="The relation's name (the table's name).")
    file: Path = f(kind="path", doc="Edge list (CSV, Parquet, Excel, Stata), relative to the "
                   "study file.", required=True)
    source: str = f("source", kind="str", doc="Column of the source unit.")
    target: str = f("target", kind="str", doc="Column of the target unit.")
    weight: str | None = f(kind="str", doc="Column of edge weights (default: every edge 1).")
    period: str | None = f(kind="str", doc="Column of the period (time) an edge is in force "
                           "(default: static).")
    directed: bool = f(False, kind="bool", doc="Whether source -> target differs from "
                       "target -> source.")
    description: str = f("", kind="str", doc="A phrase describing the relation.")
    duplicates: str = f("error", kind="str", choices=("error", "sum", "max"),
                        doc="An edge listed twice (same source, target and period): `error`, "
                            "or combine the weights by `sum` or `max`.")


@dataclass(frozen=True)
class DataSection:
    """``[data]``: where the data come from: a shipped dataset or your files."""

    dataset: str | None = f(kind="str", choices=DATASETS,
                            doc="A shipped study: `spid` (US states, real SPID adoptions), "
                                "`china_mobile_gov` (Chinese provinces, SIMULATED) or "
                                "`china_prefectures_covid` (Chinese provinces and prefectures, "
                                "real COVID-19 measures of 2020, daily). Give this or "
                                "`adoptions`.")
    adoptions: Path | None = f(kind="path", doc="Adoption records (long: policy, unit, time; or "
                               "wide), relative to the study file.")
    units: Path | None = f(kind="path", doc="Units table: id, name, parent, entry, exit and "
                           "attributes such as region. Strongly recommended: without it units "
                           "that never adopt are unknown.")
    policies: Path | None = f(kind="path", doc="Policy metadata table (opening, end, ...).")
    covariates: Path | None = f(kind="path", doc="Unit x period covariate panel.")
    events: Path | None = f(kind="path", doc="Period-varying events (e.g. central directives).")
    layout: str = f("long", kind="str", choices=("long", "wide"), doc="Layout of `adoptions`.")
    policy_col: str = f("policy", kind="str", doc="Column of the policy id in `adoptions`.")
    unit_col: str = f("unit", kind="str", doc="Column of the unit id in `adoptions`.")
    time_col: str = f("time", kind="str", doc="Column of the adoption time in `adoptions`.")
    units_id_col: str | None = f(kind="str", doc="Column of the unit id in `units` (default: "
                                 "`unit_col`).")
    name_col: str = f("name", kind="str", doc="Column of unit display names in `units`.")
    covariates_unit_col: str | None = f(kind="str", doc="Unit column in `covariates` (default: "
                                        "`unit_col`).")
    covariates_time_col: str | None = f(kind="str", doc="Time column in `covariates` (default: "
                                        "`time_col`).")
    granularity: str = f("year", kind="str", choices=GRANULARITIES, doc="Period length.")
    date_format: str | None = f(kind="str", doc="How text dates are written, as a strptime "
                                "format (`\"%d/%m/%Y\"`); default: year first (`2001-03-04`), "
                                "other orders refused.")
    missing_values: tuple | None = f(kind="strlist", doc="Cells read as missing (default: `NA`, "
                                     "`N/A`, `n/a`, `na`, `#N/A`, `NaN`, `nan`, `.`, `NULL`, "
                                     "`null`, `None`, `-`, `--`).")
    never: tuple | None = f(kind="strlist", doc="Wide layout: cells meaning not adopted "
                            "(default: `0`, `never`, `not adopted`, `no`; counted as exclusions).")
    years: tuple = f((1000, 2100), kind="years", doc="Plausible years `[FIRST, LAST]`; a time "
                     "outside them is refused.")
    encoding: str | None = f(kind="str", doc="Text encoding of CSV files (default UTF-8; e.g. "
                             "`gb18030`).")
    start: Any = f(kind="time", doc="First period observed (default: the first adoption).")
    end: Any = f(kind="time", doc="Last period observed; non-adopters are censored here "
                 "(default: the last adoption; `spid`: 2017).")
    unknown_units: str = f("error", kind="str", choices=("error", "drop"),
                           doc="Relation edges naming units outside the study: `error`, or "
                               "`drop` them (each counted as an exclusion with the units).")
    relations: tuple = f(kind="relations", doc="`[data.relations.NAME]` tables, one per relation "
                         "read from a file (added to a shipped dataset's relations).",
                         factory=tuple)


@dataclass(frozen=True)
class PoliciesSection:
    """``[policies]``: which policies the study is about."""

    focus: tuple | None = f(kind="strlist", doc="Policy ids analysed (default: every policy in "
                            "the data). Risk sets and descriptions default to these.")
    labels: Mapping[str, Label] = f(kind="labels", doc="Display names: `policy_id = \"Name\"` or "
                                    "`policy_id = {en = \"...\", zh = \"...\"}`.", factory=dict)


@dataclass(frozen=True)
class DescribeSection:
    """``[describe]``: descriptive analysis of diffusion."""

    enabled: bool = f(True, kind="bool", doc="Set to false to skip the description.")
    policies: tuple | None = f(kind="strlist", doc="Policies described (default: `policies.focus`).")
    fit_curves: bool = f(True, kind="bool", doc="Fit logistic and Bass curves to cumulative "
                         "adoption.")
    takeoff: bool = f(True, kind="bool", doc="Find each policy's take-off period.")
    speed: bool = f(True, kind="bool", doc="Compute adoption speed.")
    morans_i: str | None = f(kind="str", doc="Relation for Moran's I of adoption timing (e.g. "
                             "`contiguity`; default: none).")
    map_policies: tuple | None = f(kind="strlist", doc="Policies drawn on a map of adoption "
                                   "periods (default: the first described policy).")


@dataclass(frozen=True)
class TermSpec:
    """One diffusion term of a risk set: ``{term = "neighbors_adopted", relation = "contiguity"}``."""

    term: str
    params: Mapping[str, Any]
    where: tuple = ()


@dataclass(frozen=True)
class RiskSetSection:
    """``[[riskset]]``: a risk set and the terms it carries."""

    name: str = f(kind="name", doc="Name the models refer to.", required=True)
    design: str = f("monadic", kind="str", choices=DESIGNS,
                    doc="`monadic` (unit-period rows, one risk set per policy), `dyadic` (directed "
                        "dyad-period rows, one per policy) or `pooled` (every policy stacked).")
    policies: tuple | None = f(kind="strlist", doc="Policies (default: `policies.focus`).")
    terms: tuple = f(kind="terms", doc="Diffusion terms: an array of inline tables "
                     "`{term = \"NAME\", option = value, ...}`; see the term list below.",
                     factory=tuple)
    start: str = f("first_adoption", kind="str", choices=("first_adoption", "opening", "study"),
                   doc="When each policy's risk set starts: the first adoption anywhere, the "
                       "policy's opening period, or the study start.")
    conditional: bool = f(True, kind="bool", doc="Dyadic only: keep only dyads where the source "
                          "had adopted before t (Boehmke's opportunity to emulate).")
    unit_attributes: tuple = f(kind="strlist", doc="Unit attributes carried onto every row "
                               "(e.g. `[\"region\", \"statehood_year\"]`), usable in formulas.",
                               factory=tuple)
    options: Mapping[str, Any] = f(kind="options", doc="Further options of the risk-set builder "
                                   "(e.g. `{first_period_adopters = \"skip\", not_before = 1960, "
                                   "late_entry = false}`; "
                                   "`{level = \"prefecture\"}` puts one level of the units at risk "
                                   "and carries `parent` onto the rows).",
                                   factory=dict)


@dataclass(frozen=True)
class ModelSection:
    """``[[model]]``: one hazard model fitted to a risk set."""

    name: str = f(kind="name", doc="Key of the model in results.json and tables.", required=True)
    riskset: str = f(kind="str", doc="Name of the `[[riskset]]` it is fitted to (default: the "
                     "only risk set).")
    formula: str = f(kind="formula", doc="Model formula, e.g. `adopt ~ neighbors_adopted + "
                     "duration`; columns of the risk set, `a:b` and `a*b` for interactions.",
                     required=True)
    link: str = f("logit", kind="str", choices=LINKS, doc="Link function.")
    vcov: Any = f(kind="vcov", doc="Variance: `classical`, `hc0`, `hc1`, `{cluster = \"unit\"}`, "
                  "`{cluster-cr0 = \"unit\"}` (no G/(G-1), as R sandwich `cadjust = FALSE`), "
                  "`{cluster-regress = \"unit\"}` or "
                  "`{dyadic = [\"unit\", \"source\"]}` (default: cluster by unit; dyadic risk "
                  "sets: dyadic-robust by unit and source; a risk set with one level at risk, "
                  "`options = {level = \"prefecture\"}`: cluster by the parent, e.g. the "
                  "province).")
    firth: bool = f(False, kind="bool", doc="Firth's penalised likelihood (rare events, "
                    "separation).")
    on_separation: str = f("mark", kind="str", choices=ON_SEPARATION,
                           doc="A maximum-likelihood fit with (quasi-)separation: `mark` shows "
                               "its coefficients as not estimable (with the reason and terms), "
                               "`firth` refits with Firth's penalised likelihood and labels the "
                               "column so, `raise` stops the run.")
    label: Label = f(kind="label", doc="Column heading in the tables (default: the name).",
                     factory=dict)


@dataclass(frozen=True)
class ModerationSection:
    """``[[moderation]]``: the marginal effect of one variable across a moderator."""

    model: str = f(kind="str", doc="Name of a model whose formula has `variable:moderator`.",
                   required=True)
    variable: str = f(kind="str", doc="The variable whose effect is plotted.", required=True)
    moderator: str = f(kind="str", doc="The moderator on the x axis.", required=True)
    scale: str = f("probability", kind="str", choices=("probability", "linear"),
                   doc="Effect on the adoption probability (average marginal effect at each "
                       "moderator value; the default, as every hazard link is nonlinear) or on "
                       "the linear predictor (log-odds for logit: `b_x + b_xz z`).")
    points: int = f(25, kind="int", bounds=(2, 1000), doc="Number of values of a continuous moderator, over its "
                    "observed range (a discrete one, whole numbers with at most 10 values, is "
                    "shown at each observed value).")
    label: Label = f(kind="label", doc="Plot title.", factory=dict)


@dataclass(frozen=True)
class HeterogeneitySection:
    """``[[heterogeneity]]``: refit a model in subgroups and test the difference."""

    model: str = f(kind="str", doc="Name of the model refitted in each subgroup.", required=True)
    by: str = f(kind="str", doc="Risk-set column that defines the subgroups.", required=True)
    split: Any = f("auto", kind="split", doc="`auto` (the column's values if it has two, "
                   "otherwise above / below the median), `median`, or a number (threshold).")
    terms: tuple | None = f(kind="strlist", doc="Terms whose subgroup estimates are compared "
                            "(default: the first term of the formula).")
    on_separation: str | None = f(kind="str", choices=ON_SEPARATION,
                                  doc="Separation in a subgroup (small subgroups): `mark` (not "
                                      "estimable, no difference test) or `firth` (every subgroup "
                                      "refitted with Firth's penalised likelihood, labelled so); "
                                      "default: the model's `on_separation`.")
    label: Label = f(kind="label", doc="Title of the comparison.", factory=dict)


@dataclass(frozen=True)
class NetworkSection:
    """``[network]``: infer a diffusion network from many policies' adoption cascades."""

    enabled: bool = f(True, kind="bool", doc="Set to false to skip.")
    method: str = f("netinf", kind="str", choices=("netinf",), doc="Inference method.")
    policies: tuple | None = f(kind="strlist", doc="Cascades used (default: every policy in the "
                               "data except those in `policies.focus`, so the network does not "
                               "use the outcome it will explain).")
    n_edges: Any = f("auto", kind="int_or_auto", doc="Number of edges, or `auto` (stop when the "
                     "improvement is no longer significant).")
    relation: str = f("netinf", kind="str", doc="Name of the inferred relation, usable by terms "
                      "(e.g. `{term = \"neighbors_adopted\", relation = \"netinf\"}`).")
    objective: str = f("networkinference", kind="str", choices=("networkinference", "snap"),
                       doc="Tree likelihood: `networkinference` (beta 0.5, epsilon 1e-10) or "
                           "`snap` (SNAP's C++ netinf, as in Desmarais, Harden & Boehmke 2015: "
                           "no beta, epsilon 1e-64).")
    compat: str | None = f(kind="str", choices=("networkinference",),
                           doc="`networkinference`: reproduce NetworkInference 1.2.5 exactly "
                               "(zero-improvement edges added to reach `n_edges`, the package's "
                               "p-values). Default: no such edge is added and p-values follow "
                               "METHODS 5.10.")
    options: Mapping[str, Any] = f(kind="options", doc="Further options passed to the inference "
                                   "function.", factory=dict)


@dataclass(frozen=True)
class ReinventionSection:
    """``[reinvention]``: align the adopters' texts: likely sources, changes and drift."""

    enabled: bool = f(True, kind="bool", doc="Set to false to skip.")
    texts: Path = f(kind="path", doc="Folder `POLICY/UNIT.txt` (or `.md`), or a table with "
                    "policy, unit and text columns, relative to the study file (required).")
    candidates: str = f("auto", kind="str", choices=("auto", "all", "lsh"),
                        doc="Pairs aligned: all, those MinHash/LSH proposes, or `auto` (LSH "
                            "above 100 texts of a policy).")
    tokenizer: str = f("default", kind="str", choices=("default", "jieba"),
                       doc="Chinese tokens: characters (`default`) or jieba words.")
    reference: str = f("first", kind="str", choices=("first", "central"),
                       doc="Drift is measured against the first or the central text.")
    relation: str = f("text_similarity", kind="str", doc="Name of the text-similarity relation "
                      "added to the study (edges dated by the later adoption), usable by terms "
                      "(e.g. `{term = \"relation_count\", relation = \"text_similarity\", "
                      "window = \"cumulative\"}`).")


@dataclass(frozen=True)
class SimulationSection:
    """``[[simulation]]``: simulate adoption from a fitted model (posterior predictive check)."""

    kind: str = f("from_fit", kind="str", choices=SIMULATION_KINDS,
                  doc="`from_fit`: draw coefficients from the fit's sampling distribution, "
                      "simulate each policy's diffusion and compare with the observed curve.")
    model: str = f(kind="str", doc="Name of a fitted model on a monadic risk set.", required=True)
    draws: int = f(200, kind="int", bounds=(1, 10000), doc="Number of simulated histories.")
    seed: int | None = f(kind="int", bounds=(0, 2**32 - 1), doc="Seed (default: `study.seed`).")
    options: Mapping[str, Any] = f(kind="options", doc="Further options of "
                                   "`policydiffusion.simulate.simulate_from_fit`.", factory=dict)


@dataclass(frozen=True)
class ModesSection:
    """``[modes]``: diffusion modes in a multi-level state (top-down, pilot-then-promote,
    bottom-up, horizontal), measured per policy (`policydiffusion.modes.classify_modes`)."""

    enabled: bool = f(True, kind="bool", doc="Set to false to skip.")
    policies: tuple | None = f(kind="strlist", doc="Policies classified (default: every policy in "
                               "the data).")
    central_level: str | None = f(kind="str", doc="The upper level (default: the top level of "
                                  "the units' `level` column); a lower one makes each of its "
                                  "units the centre of its own descendants.")
    lower_levels: tuple | None = f(kind="strlist", doc="Lower levels measured (default: every "
                                   "level below `central_level`).")
    pilots: Path | None = f(kind="path", doc="Pilot designations (policy, unit, time), relative "
                            "to the study file.")
    options: Mapping[str, Any] = f(kind="options", doc="Thresholds of the rules, the fields of "
                                   "`policydiffusion.modes.ModeRules` (e.g. "
                                   "`{top_down_max_share = 0.1, hazard_rise = \"ci\"}`).",
                                   factory=dict)


@dataclass(frozen=True)
class EffectsSection:
    """``[effects]``: what each policy achieved where it spread: an event study from the
    adoption records (`policydiffusion.effects.event_study`), the benefit components of
    the evaluation index beside the process ones, and effects by adoption order."""

    enabled: bool = f(True, kind="bool", doc="Set to false to skip.")
    panel: str | None = f(kind="str",
                   doc="Required. The unit x period outcome panel: a CSV file (relative to the study "
                       "file) or `hsiang_china`, the shipped China city panel prepared as Hsiang "
                       "et al. (2020) do (outcome, bins, testing-regime controls, clustering by "
                       "day, adoptions and published estimates all set; keys given here win).")
    adoptions: str = f("study", kind="str", doc="Adoption records (policy, unit, time): `study` "
                       "(the study's own) or a CSV file; units and times must match the panel's.")
    outcome: str | None = f(kind="str", doc="Outcome column of the panel (required for a CSV).")
    unit: str = f("unit", kind="str", doc="Unit column of the panel.")
    time: str = f("time", kind="str", doc="Period column of the panel.")
    dates: bool = f(False, kind="bool", doc="`time` holds calendar dates: event time in days.")
    policies: tuple | None = f(kind="strlist", doc="Policies evaluated (default: every policy "
                               "of the adoption records).")
    bins: tuple | None = f(kind="bins", doc="Event-time bins, `[[0, 7], [8, 14]]` (periods "
                           "since adoption; negative = leads; `3` = `[3, 3]`). Required for a CSV.")
    controls: tuple = f(kind="strlist", doc="Control columns of the panel.", factory=tuple)
    absorb: tuple | None = f(kind="strlist", doc="Fixed effects absorbed (default: the unit).")
    cluster: str | None = f(kind="str", doc="Cluster standard errors by this column (default: "
                            "heteroskedasticity-robust).")
    published: Path | None = f(kind="path", doc="Published estimates to set beside ours: a CSV "
                               "with `term`, `estimate`, `std_error`.")
    benefits: bool = f(True, kind="bool", doc="Benefit components (average effect, share of "
                       "adopters with a significant benefit, dispersion of unit effects) and the "
                       "evaluation index joining them to the process components.")
    window: tuple | None = f(kind="bins", doc="Event-time window of the benefit components, "
                             "`[[8, 70]]` (default: from the first to the last non-negative bin).")
    benefit: str = f("increase", kind="str", choices=("increase", "decrease"),
                     doc="Which direction of the outcome is a benefit.")
    links: tuple = f(kind="strlist", choices=EFFECTS_LINKS, factory=tuple,
                     doc="Effects by diffusion position, each one pooled interaction model: "
                         "`adoption_order` (standardised adoption time: do late adopters "
                         "benefit less?).")
    weights: Mapping[str, Any] = f(kind="options", factory=dict,
                                   doc="Weights of the evaluation-index components (e.g. "
                                       "`{speed = 0, average_benefit = 2}`; default 1 each).")


@dataclass(frozen=True)
class ReportSection:
    """``[report]``: what the report shows and how."""

    title: Label = f(kind="label", doc="Report title (default: `study.title`).", factory=dict)
    language: str = f("en", kind="str", choices=LANGUAGES, doc="Language of the report "
                      "(`--lang` overrides).")
    figures: tuple = f(FIGURES, kind="strlist", choices=FIGURES, doc="Figures drawn (default: "
                       "all that apply).")
    figure_formats: tuple = f(("png", "svg"), kind="strlist", choices=FIGURE_FORMATS,
                              doc="Files written to figures/.")
    table_formats: tuple = f(("csv", "latex", "markdown"), kind="strlist", choices=TABLE_FORMATS,
                             doc="Files written to tables/. `docx` (Word) needs python-docx: "
                             "`pip install \"policydiffusion[docx]\"`.")
    digits: int = f(3, kind="int", bounds=(0, 10), doc="Decimal places in tables.")
    key_terms: tuple | None = f(kind="strlist", doc="Variables of interest, shown first in the "
                                "model tables in this order (columns or term names; default: "
                                "each risk set's diffusion terms in the order of its `terms`). "
                                "Each interaction follows the last key variable in it; then "
                                "come the controls, the time dependence and the constant. "
                                "Policy dummies of pooled models are hidden and marked by a "
                                "\"Policy fixed effects: Yes\" row.")
    labels: Mapping[str, Label] = f(kind="labels", doc="Display names of terms and columns: "
                                    "`neighbors_adopted = {en = \"...\", zh = \"...\"}`.",
                                    factory=dict)
    notes: Label = f(kind="label", doc="A paragraph appended to the methods text.", factory=dict)


@dataclass(frozen=True)
class EngineSection:
    """``[engine]``: where the risk sets are built and the models fitted (same numbers)."""

    kind: str = f("local", kind="str", choices=ENGINES, doc="`local` (this process) or `dask` "
                  "(risk sets built as one Dask task per policy and block of periods, model "
                  "passes run as Dask tasks; needs `pip install \"policydiffusion[dask]\"`).")
    scheduler: str | None = f(kind="str", doc="With `kind = \"dask\"`: the scheduler address, "
                              "e.g. `tcp://10.0.0.5:8786` (default: the current Dask client, "
                              "else a new LocalCluster).")
    partition_periods: int | None = f(kind="int", bounds=(1, None), doc="With `kind = "
                                      "\"dask\"`: periods per risk-set partition (default: "
                                      "all the periods of a policy).")
    output: str | None = f(kind="str", doc="With `kind = \"dask\"`: a folder on storage the "
                           "workers see (relative to the study file), where each risk set is "
                           "written as Parquet files, in `NAME/` (one per policy: "
                           "`NAME/POLICY/`); earlier files there are replaced. Default: the "
                           "rows stay in worker memory: the fits run there and the workers "
                           "count rows and events; a risk set's rows come to this process "
                           "only for a step that reads them (`[[moderation]]`, "
                           "`[[heterogeneity]]`), once.")


@dataclass(frozen=True)
class StudyFile:
    """A validated study file. Build one with :func:`load_study_file`."""

    path: Path
    study: StudySection
    data: DataSection
    policies: PoliciesSection
    describe: DescribeSection
    risksets: tuple[RiskSetSection, ...]
    models: tuple[ModelSection, ...]
    moderation: tuple[ModerationSection, ...]
    heterogeneity: tuple[HeterogeneitySection, ...]
    network: NetworkSection | None
    simulations: tuple[SimulationSection, ...]
    report: ReportSection
    reinvention: ReinventionSection | None = None
    positions: Mapping[tuple, int] = field(default_factory=dict, compare=False, repr=False)
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    modes: ModesSection | None = None
    effects: EffectsSection | None = None
    engine: EngineSection = field(default_factory=EngineSection)

    def where(self, path: tuple) -> str:
        """``"study.toml, line 12, field 'model[1].formula'"`` for an error message."""
        from policydiffusion.studyfile._validate import describe_location

        return describe_location(self.path, self.positions, path)

    def riskset(self, name: str) -> RiskSetSection:
        """The risk set called ``name``."""
        for r in self.risksets:
            if r.name == name:
                return r
        raise KeyError(name)

    def model(self, name: str) -> ModelSection:
        """The model called ``name``."""
        for m in self.models:
            if m.name == name:
                return m
        raise KeyError(name)


#: top-level tables: key -> (class, is_array)
TOP_LEVEL: dict[str, tuple[type, bool]] = {
    "study": (StudySection, False),
    "data": (DataSection, False),
    "policies": (PoliciesSection, False),
    "describe": (DescribeSection, False),
    "riskset": (RiskSetSection, True),
    "model": (ModelSection, True),
    "moderation": (ModerationSection, True),
    "heterogeneity": (HeterogeneitySection, True),
    "network": (NetworkSection, False),
    "reinvention": (ReinventionSection, False),
    "simulation": (SimulationSection, True),
    "modes": (ModesSection, False),
    "effects": (EffectsSection, False),
    "engine": (EngineSection, False),
    "report": (ReportSection, False),
}
