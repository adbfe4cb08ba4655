"""Hand-made chains A -> B -> C whose sources and differences are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policydiffusion.reinvention import (content_changes, likely_sources, pair_similarity,
                                         read_texts)

S = [
    "A person who is attacked in a dwelling has no duty to retreat from the attacker.",
    "Such a person may meet force with force including deadly force if reasonable.",
    "The person is presumed to hold a reasonable fear of imminent peril of death.",
    "A law enforcement officer may not arrest the person for using force as permitted.",
    "The court shall award reasonable attorney fees to a defendant found immune here.",
    "Nothing in this section limits any other defense available under the common law.",
]
CHANGED_3 = "The person is presumed to hold a reasonable fear of imminent peril of great bodily harm or death."
NEW_B = "Every county sheriff shall publish an annual report of incidents involving such force."
NEW_C = "The state police shall train officers in the provisions of this chapter every year."
A = " ".join(S)
B = " ".join([S[0], S[1], CHANGED_3, S[3], S[5], NEW_B])  # S[2] changed, S[4] dropped, NEW_B added
C = " ".join([S[0], S[1], CHANGED_3, S[3], S[5], NEW_B, NEW_C])  # NEW_C added to B
E = A  # a late copy of the first text: its source must be A, not the later B or C
D = ("Cigarette taxes rise by ten cents per pack on the first of July. Revenue goes to "
     "schools and roads in equal parts. The department shall publish the new rates.")


def _texts():
    units = ["A", "B", "C", "D", "E"]
    texts = pd.DataFrame({"policy": "syg", "unit": units, "text": [A, B, C, D, E]})
    adopt = pd.DataFrame({"policy": "syg", "unit": units, "year": [2005, 2006, 2007, 2008, 2009]})
    return read_texts(texts, adoptions=adopt)


def test_sources_follow_the_chain():
    t = _texts()
    src = likely_sources(pair_similarity(t), t).table.set_index("unit")
    assert src["source"].to_dict() == {"A": None, "B": "A", "C": "B", "D": None, "E": "A"}
    assert src.loc["E", "similarity"] == pytest.approx(1.0)
    assert src.loc["C", "share_from_source"] < 1.0 and src.loc["B", "share_from_source"] < 1.0
    # drift: similarity to the first text falls along the chain
    sim_first = src["similarity_to_first"]
    assert sim_first["A"] == 1.0 > sim_first["B"] > sim_first["C"] > sim_first["D"] == 0.0


def test_known_differences_against_source_and_first():
    t = _texts()
    src = likely_sources(pair_similarity(t), t)
    ch = content_changes(t, src).counts.set_index("unit")
    assert ch.loc["B", ["kept", "changed", "added", "dropped"]].tolist() == [4, 1, 1, 1]
    assert ch.loc["C", ["kept", "changed", "added", "dropped"]].tolist() == [6, 0, 1, 0]
    assert ch.loc["E", ["kept", "changed", "added", "dropped"]].tolist() == [6, 0, 0, 0]
    first = content_changes(t, src, against="first").counts.set_index("unit")
    assert first.loc["C", ["kept", "changed", "added", "dropped"]].tolist() == [4, 1, 2, 1]
    p = content_changes(t, src).passages
    b = p[p["unit"] == "B"].set_index("kind")
    assert b.loc["added", "text"] == NEW_B and b.loc["dropped", "reference_text"] == S[4]
    assert b.loc["changed", "text"] == CHANGED_3 and b.loc["changed", "reference_text"] == S[2]


ZA = ("第一条 为了规范和引导文明行为，根据有关法律、法规的规定，结合本市实际，制定本条例。\n"
      "第二条 公民应当爱护公共设施，不得在公共场所随地吐痰、乱扔垃圾。\n"
      "第三条 机动车驾驶人应当礼让行人，不得违规鸣笛。\n"
      "第四条 饲养犬只应当束犬链，及时清理犬只粪便。\n"
      "第五条 本条例自2017年1月1日起施行。")
ZB = ("第一条 为了培育和践行社会主义核心价值观，根据有关法律、法规的规定，制定本条例。\n"
      "第二条 公民应当爱护公共设施，不得在公共场所随地吐痰、乱扔垃圾。\n"
      "第三条 机动车驾驶人应当礼让行人，不得违规鸣笛。\n"
      "第四条 公民应当文明上网，不得编造、散布虚假信息。\n"
      "第五条 本条例自2018年3月1日起施行。")
ZC_CUT = ZB.rsplit("\n", 2)[0]  # cut before its last two articles


def test_chinese_chain_boilerplate_and_truncation():
    texts = pd.DataFrame({"policy": "civ", "unit": ["qd", "nb", "ws"], "text": [ZA, ZB, ZC_CUT]})
    adopt = pd.DataFrame({"policy": "civ", "unit": ["qd", "nb", "ws"],
                          "date": ["2016-11-26", "2017-04-24", "2018-09-21"]})
    t = read_texts(texts, adoptions=adopt)
    assert t.table["truncated"].tolist() == [False, False, True]
    pairs = pair_similarity(t)
    src = likely_sources(pairs, t).table.set_index("unit")
    assert src["source"].to_dict() == {"qd": None, "nb": "qd", "ws": "nb"}
    ch = content_changes(t, likely_sources(pairs, t)).counts.set_index("unit")
    # nb: articles 2, 3 kept; article 5 kept although its date differs (the effective-date
    # formula is boilerplate, weight 0.1); article 1 (purpose clause reworded) changed;
    # article 4 replaced: one added, one dropped.
    assert ch.loc["nb", ["kept", "changed", "added", "dropped"]].tolist() == [3, 1, 1, 1]
    # ws is cut after article 3: articles 4-5 of nb are not comparable, not dropped
    assert ch.loc["ws", ["dropped", "not_comparable"]].tolist() == [0, 2]


def test_jieba_tokens_give_the_same_chain():
    texts = pd.DataFrame({"policy": "civ", "unit": ["qd", "nb"], "text": [ZA, ZB]})
    adopt = pd.DataFrame({"policy": "civ", "unit": ["qd", "nb"], "year": [2016, 2017]})
    t = read_texts(texts, adoptions=adopt)
    pairs = pair_similarity(t, tokenizer="jieba", k=2)
    assert likely_sources(pairs, t).table["source"].tolist() == [None, "qd"]
    ch = content_changes(t, likely_sources(pairs, t), tokenizer="jieba")
    assert ch.summary().startswith("civ nb vs source qd: ")
    assert ch.counts[["added", "dropped"]].iloc[0].tolist() == [1, 1]


def test_lsh_finds_the_related_pairs_among_unrelated_texts():
    rng = np.random.default_rng(7)
    words = [f"w{k}" for k in range(5000)]

    def text(n):
        return ". ".join(" ".join(rng.choice(words, 12)) for _ in range(n)) + "."

    base = text(40)
    copy = base.replace(base[:200], text(3)[:-1] + ". ", 1)
    others = [text(40) for _ in range(30)]
    frame = pd.DataFrame({"policy": "p", "unit": [f"u{k}" for k in range(32)],
                          "text": [base, copy] + others})
    lsh = pair_similarity(frame, candidates="lsh", seed=3)
    assert lsh.counts["aligned"].iloc[0] == 1
    assert set(lsh.pairs["i"]) == {"u0", "u1"}
    full = pair_similarity(frame.iloc[:4], candidates="all")
    got = full.pairs.set_index(["i", "j"])["similarity"]
    assert got[("u0", "u1")] == lsh.pairs.set_index(["i", "j"])["similarity"][("u0", "u1")]
