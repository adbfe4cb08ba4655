"""Time all-pairs text similarity: 1,000 texts of 5,000 words (LSH first), 2 threads.

    python benchmarks/bench_reinvention.py [--texts 1000] [--words 5000] [--family 5]

The corpus is synthetic and seeded: families of ``--family`` texts, each a re-invention
of one model text (a fifth of its sentences rewritten, one in twenty dropped, one in
twenty added, 2% of words substituted), words drawn from a Zipf-like vocabulary of
20,000, sentences of 12-28 words. MinHash/LSH proposes the candidate pairs, which are
then aligned. The script reports the time of each stage, the candidate pairs against
the possible ones, and the share of true (same-family) pairs found. It prints wall and
CPU seconds: on a shared machine the wall time grows with other people's load, the CPU
time does not.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from policydiffusion.reinvention import pair_similarity  # noqa: E402


def corpus(n_texts: int, n_words: int, family: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    vocab = np.array([f"w{k}" for k in range(20_000)])
    p = 1.0 / np.arange(1, len(vocab) + 1)
    p /= p.sum()

    pool = vocab[rng.choice(len(vocab), size=4 * n_texts * n_words // family + 1_000_000, p=p)]
    at = [0]

    def sentence():
        n = int(rng.integers(12, 29))
        at[0] += n
        return " ".join(pool[at[0] - n:at[0]]) + "."

    def model():
        out, n = [], 0
        while n < n_words:
            s = sentence()
            out.append(s)
            n += s.count(" ") + 1
        return out

    texts = []
    for f in range(int(np.ceil(n_texts / family))):
        base = model()
        for _ in range(family):
            sents = []
            for s in base:
                u = rng.random()
                if u < 0.05:
                    continue  # dropped
                if u < 0.25:
                    s = sentence()  # rewritten
                words = s.split()
                for k in np.flatnonzero(rng.random(len(words)) < 0.02):
                    words[k] = sentence().split()[0]
                sents.append(" ".join(words))
                if rng.random() < 0.05:
                    sents.append(sentence())  # added
            texts.append((f, " ".join(sents)))
    texts = texts[:n_texts]
    return pd.DataFrame({"policy": "bench", "unit": [f"t{k:04d}" for k in range(len(texts))],
                         "family": [f for f, _ in texts], "text": [t for _, t in texts]})


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--texts", type=int, default=1000)
    ap.add_argument("--words", type=int, default=5000)
    ap.add_argument("--family", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    t0 = time.perf_counter()
    frame = corpus(a.texts, a.words, a.family, a.seed)
    t1 = time.perf_counter()
    pair_similarity(frame.iloc[:3], candidates="all")  # compile the kernel outside the timing
    t2, c2 = time.perf_counter(), time.process_time()
    res = pair_similarity(frame.drop(columns="family"), candidates="lsh", seed=a.seed, n_jobs=2)
    t3, c3 = time.perf_counter(), time.process_time()
    fam = dict(zip(frame["unit"], frame["family"]))
    got = {(i, j) for i, j in zip(res.pairs["i"], res.pairs["j"]) if i < j}
    true = sum(len(g) * (len(g) - 1) // 2 for _, g in frame.groupby("family"))
    found = sum(fam[i] == fam[j] for i, j in got)
    words = frame["text"].str.split().str.len()
    c = res.counts.iloc[0]
    print(f"# bench_reinvention.py --texts {a.texts} --words {a.words} --family {a.family} "
          f"(cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f})")
    print(f"corpus: {len(frame)} texts, mean {words.mean():.0f} words (built in {t1 - t0:.1f} s)")
    # CPU seconds (all threads) do not grow when other processes share the cores; wall does
    print(f"all pairs via LSH: {t3 - t2:.1f} s wall, {c3 - c2:.1f} s CPU "
          f"(kernel compile/cache load {t2 - t1:.1f} s)")
    print(f"candidates aligned: {c['aligned']} of {c['possible']} possible pairs; "
          f"same-family pairs found {found} of {true}; other pairs aligned {len(got) - found}")
    sim = res.pairs.assign(same=[fam[i] == fam[j] for i, j in zip(res.pairs["i"], res.pairs["j"])])
    print("mean similarity: same family "
          f"{sim.loc[sim['same'], 'similarity'].mean():.3f}, other candidates "
          f"{sim.loc[~sim['same'], 'similarity'].mean() if (~sim['same']).any() else float('nan'):.3f}")
