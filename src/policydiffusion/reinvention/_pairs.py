"""The pair table: every pair of adopters of a policy, aligned (see :mod:`._compare`)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import combinations

import pandas as pd

from policydiffusion.errors import check_choice
from policydiffusion.reinvention._candidates import lsh_pairs
from policydiffusion.reinvention._compare import AlignOptions, compare, shingles
from policydiffusion.reinvention._texts import PolicyTexts
from policydiffusion.reinvention._tokens import Tokens, Vocabulary, tokenize

__all__ = ["PairTable", "pair_similarity", "tokenize_texts"]

_COLUMNS = ["policy", "i", "j", "similarity", "share_i_from_j", "longest", "longest_passage"]


@dataclass(frozen=True)
class PairTable:
    """Text similarity between adopters of the same policy.

    ``pairs`` has two rows per aligned pair, ``(i, j)`` and ``(j, i)``: ``similarity``
    (symmetric), ``share_i_from_j`` (the weighted share of i's text aligned with j's),
    ``longest`` (tokens in the longest shared passage) and ``longest_passage`` (its text
    as it reads in the earlier-listed text of the pair). Pairs that were not candidates are absent (similarity taken as 0).
    ``counts`` has, per policy, the texts, possible pairs and aligned candidate pairs.
    """

    pairs: pd.DataFrame
    counts: pd.DataFrame
    options: dict = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """The pair table (one row per ordered pair)."""
        return self.pairs.copy()

    def summary(self) -> str:
        """Texts, candidate pairs and the mean similarity per policy."""
        lines = []
        for r in self.counts.itertuples(index=False):
            sims = self.pairs.loc[self.pairs["policy"] == r.policy, "similarity"]
            mean = f"{sims.mean():.3f}" if len(sims) else "n/a"
            lines.append(f"{r.policy}: {r.texts} texts, {r.aligned} of {r.possible} pairs aligned "
                         f"({r.method}), mean similarity of aligned pairs {mean}")
        return "\n".join(lines)


def tokenize_texts(texts: pd.DataFrame, *, tokenizer: str = "default",
                   boilerplate_weight: float = 0.1) -> list[Tokens]:
    """Tokens of every text in ``texts`` (column ``text``, ``language``), one vocabulary."""
    vocab = Vocabulary()
    langs = texts["language"] if "language" in texts else ["auto"] * len(texts)
    return [tokenize(t, language=lang, tokenizer=tokenizer, vocabulary=vocab,
                     boilerplate_weight=boilerplate_weight)
            for t, lang in zip(texts["text"], langs)]


def pair_similarity(texts: PolicyTexts | pd.DataFrame, *, candidates: str = "auto",
                    lsh_above: int = 100, lsh_threshold: float = 0.15, num_perm: int = 128,
                    seed: int = 1, match: float = 3.0, mismatch: float = -1.0, gap: float = -2.0,
                    k: int = 4, tokenizer: str = "default", boilerplate_weight: float = 0.1,
                    n_jobs: int = 2, progress: bool = False) -> PairTable:
    """Align the texts of every pair of adopters of each policy.

    ``candidates="all"`` aligns every pair; ``"lsh"`` only the pairs MinHash/LSH
    proposes (Jaccard of ``k``-token shingles likely above ``lsh_threshold``);
    ``"auto"`` uses LSH for policies with more than ``lsh_above`` texts. Scores are
    explained in :mod:`policydiffusion.reinvention._compare`; ``progress=True`` shows
    a progress bar.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"policy": "syg", "unit": ["FL", "MI", "KS"], "text": [
    ...     "A person has no duty to retreat and may meet force with force.",
    ...     "A person has no duty to retreat and may use deadly force.",
    ...     "Taxes on cigarettes rise by ten cents per pack."]})
    >>> pt = pair_similarity(t)
    >>> pt.pairs[["i", "j", "similarity", "share_i_from_j", "longest"]].round(3)
        i   j  similarity  share_i_from_j  longest
    0  FL  MI        0.72           0.692        9
    1  MI  FL        0.72           0.750        9
    2  FL  KS        0.00           0.000        0
    3  KS  FL        0.00           0.000        0
    4  MI  KS        0.00           0.000        0
    5  KS  MI        0.00           0.000        0
    """
    check_choice("candidates", candidates, ("auto", "all", "lsh"))
    table = texts.table if isinstance(texts, PolicyTexts) else texts.reset_index(drop=True)
    opts = AlignOptions(match=match, mismatch=mismatch, gap=gap, k=k)
    rows, counts = [], []
    for policy, group in table.groupby("policy", sort=True):
        group = group.reset_index(drop=True)
        toks = tokenize_texts(group, tokenizer=tokenizer, boilerplate_weight=boilerplate_weight)
        sh = [shingles(t, k) for t in toks]
        use_lsh = candidates == "lsh" or (candidates == "auto" and len(group) > lsh_above)
        todo = (lsh_pairs([h for h, _ in sh], threshold=lsh_threshold, num_perm=num_perm,
                          seed=seed) if use_lsh else list(combinations(range(len(group)), 2)))

        def one(pair, toks=toks, sh=sh):
            a, b = pair
            return pair, compare(toks[a], toks[b], opts, shingles_a=sh[a], shingles_b=sh[b])

        with ThreadPoolExecutor(max_workers=max(1, n_jobs)) as pool:
            done = pool.map(one, todo)
            if progress:
                from rich.progress import track
                done = track(done, total=len(todo), description=f"aligning {policy}")
            units = group["unit"].tolist()
            for (a, b), c in done:
                rows.append((policy, units[a], units[b], c.similarity, c.share_a, c.longest,
                             c.longest_passage))
                rows.append((policy, units[b], units[a], c.similarity, c.share_b, c.longest,
                             c.longest_passage))
        n = len(group)
        counts.append((policy, n, n * (n - 1) // 2, len(todo), "lsh" if use_lsh else "all"))
    pairs = pd.DataFrame(rows, columns=_COLUMNS)
    count_frame = pd.DataFrame(counts, columns=["policy", "texts", "possible", "aligned", "method"])
    return PairTable(pairs, count_frame, {
        "candidates": candidates, "lsh_above": lsh_above, "lsh_threshold": lsh_threshold,
        "num_perm": num_perm, "seed": seed, "match": match, "mismatch": mismatch, "gap": gap,
        "k": k, "tokenizer": tokenizer, "boilerplate_weight": boilerplate_weight})

