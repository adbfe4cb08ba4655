"""Display names of model terms, shared by results, tables and the report.

:data:`TERMS` names the risk-set columns the term builders make (``Intercept`` is
"Constant"); :func:`term_label` names any term, in English or Chinese, as every
table and summary prints it, so ``res.summary()``, ``regression_table`` and the
report agree. It sits below the stages (estimate and report both use it).

Examples
--------
>>> term_label("Intercept", "en"), term_label("Intercept", "zh")
('Constant', '常数项')
"""

from __future__ import annotations

import re
from typing import Mapping

__all__ = ["TERMS", "pick", "term_label"]

#: default display names of risk-set columns made by the term builders
TERMS: dict[str, dict[str, str]] = {
    "adopt": {"en": "Adopted", "zh": "采纳"},
    "duration": {"en": "Duration", "zh": "持续时间"},
    "neighbors_adopted": {"en": "Neighbours adopted", "zh": "相邻单位已采纳"},
    "region_share": {"en": "Share of region adopted", "zh": "同区域采纳比例"},
    "national_share": {"en": "Share of all units adopted", "zh": "全国采纳比例"},
    "region_count": {"en": "Units of region adopted", "zh": "同区域已采纳单位数"},
    "national_count": {"en": "Units adopted", "zh": "全国已采纳单位数"},
    "leaders_adopted": {"en": "Leader adopted", "zh": "领先者已采纳"},
    "event_in_force": {"en": "Directive in force", "zh": "政策文件生效"},
    "parent_adopted": {"en": "Higher level adopted", "zh": "上级已采纳"},
    "exposure": {"en": "Exposure", "zh": "政策接触程度"},
    "relation_count": {"en": "Relation count", "zh": "关系次数"},
    "attribute_difference": {"en": "Difference", "zh": "差异"},
    "same_group": {"en": "Same group", "zh": "同组"},
    "contiguous": {"en": "Contiguous", "zh": "相邻"},
    "source_adopted": {"en": "Source adopted", "zh": "来源已采纳"},
    "adopt_after_source": {"en": "Adopted after source", "zh": "在来源之后采纳"},
    "Intercept": {"en": "Constant", "zh": "常数项"},
    "const": {"en": "Constant", "zh": "常数项"},
}


def pick(label: Mapping[str, str] | str | None, lang: str, default: str = "") -> str:
    """The ``lang`` text of a user label, else its English text, else ``default``.

    Examples
    --------
    >>> pick("Lottery", "zh"), pick(None, "en", "m1")
    ('Lottery', 'm1')
    """
    if label is None:
        return default
    if isinstance(label, str):
        return label
    return label.get(lang) or label.get("en") or default


def term_label(column: str, lang: str,
               labels: Mapping[str, Mapping[str, str] | str] | None = None) -> str:
    """Display name of a risk-set column: the user's label, else a built-in one, else the name.

    Interactions ``a:b`` are labelled part by part (``a × b``); a known prefix names a
    derived column (``neighbors_adopted_share`` -> "Neighbours adopted (share)").

    Examples
    --------
    >>> term_label("neighbors_adopted:relation_count", "en")
    'Neighbours adopted × Relation count'
    >>> term_label("my_var", "zh", {"my_var": {"zh": "我的变量"}})
    '我的变量'
    """
    labels = labels or {}
    if ":" in column:
        return " × ".join(term_label(p, lang, labels) for p in column.split(":"))
    if column in labels:
        return pick(labels[column], lang, column)
    if column in TERMS:
        return TERMS[column][lang]
    for key in sorted(TERMS, key=len, reverse=True):
        if column.startswith(key + "_"):
            rest = column[len(key) + 1:]
            rest = re.sub(r"_", " ", rest)
            return f"{TERMS[key][lang]} ({rest})" if lang == "en" else f"{TERMS[key][lang]}（{rest}）"
    return column
