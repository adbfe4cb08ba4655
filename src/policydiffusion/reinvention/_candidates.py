"""Candidate pairs by MinHash / locality-sensitive hashing (datasketch).

With many texts, aligning every pair is wasteful: most pairs share nothing. Each text
becomes a MinHash signature of its shingle set; an LSH index returns the pairs whose
estimated Jaccard similarity is likely above ``threshold``; only those are aligned.
The hash permutations come from ``seed``, so the candidates are reproducible.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from policydiffusion.errors import require

__all__ = ["lsh_pairs"]


def lsh_pairs(shingle_sets: Sequence[np.ndarray], *, threshold: float = 0.2,
              num_perm: int = 128, seed: int = 1) -> list[tuple[int, int]]:
    """Pairs ``(i, j)``, ``i < j``, of texts whose shingle sets LSH finds similar.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.arange(100, dtype=np.uint64)
    >>> lsh_pairs([a, a[:90], a + 1000], threshold=0.5)
    [(0, 1)]
    """
    datasketch = require("datasketch", feature="candidate pairs by LSH", extra="reinvention")
    MinHash, MinHashLSH = datasketch.MinHash, datasketch.MinHashLSH
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sketches = []
    for i, hashes in enumerate(shingle_sets):
        m = MinHash(num_perm=num_perm, seed=seed, hashfunc=int)
        sketches.append(m if len(hashes) else None)  # a text without shingles matches nothing
        if len(hashes):
            # datasketch hashes 32-bit values; fold the 64-bit shingle hashes
            folded = np.unique((hashes ^ (hashes >> np.uint64(32))) & np.uint64(0xFFFFFFFF))
            m.update_batch(folded.tolist())
            lsh.insert(i, m)
    pairs = set()
    for i, m in enumerate(sketches):
        for j in (lsh.query(m) if m is not None else ()):
            if j != i:
                pairs.add((min(i, j), max(i, j)))
    return sorted(pairs)
