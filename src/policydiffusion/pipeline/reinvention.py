"""Step 2c: align the adopters' texts ([reinvention]): sources, changes, drift, relation."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

from policydiffusion.study import Study
from policydiffusion.studyfile import StudyFile

__all__ = ["ReinventionOutput", "reinvention_step"]


@dataclass(frozen=True)
class ReinventionOutput:
    """Texts, pair table, likely sources, changes and drift (policydiffusion.reinvention)."""

    texts: object
    pairs: object
    sources: object
    changes: object
    drift: object


def reinvention_step(study: Study, sf: StudyFile, *, seed: int
                     ) -> tuple[Study, ReinventionOutput | None]:
    """Run the re-invention analysis and add the text-similarity relation to the study."""
    spec = sf.reinvention
    if spec is None or not spec.enabled:
        return study, None
    from policydiffusion.reinvention import (content_changes, likely_sources, pair_similarity,
                                             read_texts, reinvention_index,
                                             text_similarity_relation)

    adopt = study.adoptions.select("policy", "unit", "period").to_pandas()
    adopt = pd.DataFrame({"policy": adopt["policy"].astype(str), "unit": adopt["unit"].astype(str),
                          "time": adopt["period"].astype(float)})
    with warnings.catch_warnings():  # exclusions are counted in texts.exclusions and reported
        warnings.simplefilter("ignore")
        texts = read_texts(spec.texts, adoptions=adopt, time_col="time")
    pairs = pair_similarity(texts, candidates=spec.candidates, tokenizer=spec.tokenizer, seed=seed)
    sources = likely_sources(pairs, texts)
    changes = content_changes(texts, sources, tokenizer=spec.tokenizer)
    drift = reinvention_index(sources, reference=spec.reference, pairs=pairs)
    relation = text_similarity_relation(pairs, sources, name=spec.relation)
    return study.with_relation(relation), ReinventionOutput(texts, pairs, sources, changes, drift)
