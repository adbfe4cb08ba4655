"""Re-invention: how a policy's text changes as it diffuses.

Attach texts to adoptions (:func:`read_texts`), align every pair of adopters' texts
(:func:`pair_similarity`: MinHash/LSH candidates, then Smith-Waterman on words or
Chinese characters with boilerplate down-weighted), find each adopter's likely source
and what it changed (:func:`likely_sources`, :func:`content_changes`), measure drift
(:func:`reinvention_index`) and bring text borrowing into the diffusion models
(:func:`text_similarity_relation`, :func:`compare_netinf`).

Examples
--------
>>> from policydiffusion.reinvention import smith_waterman
>>> smith_waterman("no duty to retreat".split(), "has no duty to retreat".split()).score
12.0
"""

from policydiffusion.reinvention._align import Alignment, smith_waterman
from policydiffusion.reinvention._changes import Changes, content_changes
from policydiffusion.reinvention._compare import Comparison, compare
from policydiffusion.reinvention._drift import Drift, reinvention_index
from policydiffusion.reinvention._pairs import PairTable, pair_similarity
from policydiffusion.reinvention._relation import (NetinfComparison, compare_netinf,
                                                   text_similarity_relation)
from policydiffusion.reinvention._sources import Sources, likely_sources
from policydiffusion.reinvention._texts import PolicyTexts, read_adoptions, read_texts
from policydiffusion.reinvention._tokens import Tokens, detect_language, tokenize
from policydiffusion.reinvention._truncation import truncation

__all__ = ["read_texts", "read_adoptions", "PolicyTexts", "truncation", "pair_similarity",
           "PairTable", "likely_sources", "Sources", "content_changes", "Changes",
           "reinvention_index", "Drift", "text_similarity_relation", "compare_netinf",
           "NetinfComparison", "compare", "Comparison", "smith_waterman",
           "Alignment", "tokenize", "Tokens", "detect_language"]
