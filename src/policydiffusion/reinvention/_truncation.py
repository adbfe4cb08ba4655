"""Is a statute's text cut off before its last article?

Chinese local regulations end with the article that sets the effective date
(本条例自…起施行); a text whose last article lacks it, or that stops mid-sentence, was
cut off in the source (several files of the LawRefBook collection are). English texts
are not checked: bills extracted from PDF and web pages end in page clutter as often as
in a full stop, so a "mid-sentence" ending says nothing there. A truncated text is
flagged, and what it lacks at the end is reported as "not comparable", never as content
the adopter dropped.
"""

from __future__ import annotations

import re

from policydiffusion.reinvention._tokens import detect_language

__all__ = ["truncation"]

_ARTICLE = re.compile(r"(?m)^[ \t#]*(第[一二三四五六七八九十百千零〇两\d]+条)")
_EFFECTIVE = re.compile(r"(?:施行|生效)")
_END_ZH = "。；：”」）)"


def truncation(text: str, *, language: str = "auto") -> str | None:
    """Why ``text`` looks cut off, or None when it looks complete.

    Examples
    --------
    >>> truncation("第一条 总则。\\n第二条 适用。\\n第三条 本条例自2020年1月1日起施行。") is None
    True
    >>> truncation("第一条 总则。\\n第二条 适用。\\n第三条 爱护公物。")
    'ends at 第三条 without the effective-date article (本条例自…施行)'
    >>> truncation("第一条 总则。\\n第二条 适用。\\n第三条 本条例自2020年1月1日起施行")
    'ends mid-sentence'
    >>> truncation("A person may use force and") is None
    True
    """
    body = text.rstrip()
    if not body:
        return None
    lang = detect_language(body) if language == "auto" else language
    if lang == "zh":
        articles = list(_ARTICLE.finditer(body))
        if len(articles) >= 3 and not _EFFECTIVE.search(body[articles[-1].start():]):
            return f"ends at {articles[-1].group(1)} without the effective-date article (本条例自…施行)"
        return None if body[-1] in _END_ZH else "ends mid-sentence"
    return None
