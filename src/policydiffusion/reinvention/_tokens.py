"""Texts into tokens: words (English), characters or jieba words (Chinese), segments, weights.

A :class:`Tokens` holds the integer ids of a text's tokens (ids come from a shared
:class:`Vocabulary`, so equal words get equal ids across texts), each token's weight
(1, or ``boilerplate_weight`` inside an enacting clause or another standard formula),
its character span in the original text, and the segments (articles, or sentences)
that alignment works on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from policydiffusion.errors import check_choice, require

__all__ = ["Tokens", "Vocabulary", "tokenize", "detect_language", "BOILERPLATE"]

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = {
    "en": re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?"),
    "zh": re.compile(rf"[{_CJK}]|[A-Za-z0-9]+"),
}
# An article starts a line: "第十二条" (optionally after Markdown's "#"s).
_ARTICLE = re.compile(r"(?m)^[ \t#]*第[一二三四五六七八九十百千零〇两\d]+条")
_SENTENCE = {
    "en": re.compile(r"(?<=[.;:!?])\s+|\n\s*\n"),
    "zh": re.compile(r"(?<=[。！？；])|\n\s*\n"),
}

#: Standard formulas that every statute of a kind carries (enacting clauses, purpose
#: and effective-date articles, approval headers). Their tokens get
#: ``boilerplate_weight``, following Linder et al. (2020), who discount text that recurs
#: across unrelated bills so that shared boilerplate does not pass for borrowing.
BOILERPLATE: dict[str, tuple[str, ...]] = {
    "en": (
        r"be it enacted by [^.:]*[.:]",
        r"the people of the state of [a-z ]+,? represented in [^.:]*[.:]",
        r"(?:this|the) act shall (?:take effect|be effective|become effective)[^.]*\.",
        r"if any provision of this act[^.]*\.",
        r"(?:an act|a bill for an act|a bill to be entitled) [^.]*\.",
        r"this act (?:may|shall) be (?:cited|known) as[^.]*\.",
    ),
    "zh": (
        r"本条例自[^。\n]*施行[^。\n]*。?",
        r"为了[^。\n]*制定本条例。",
        r"[^。\n]*人民代表大会[^。\n]*(?:通过|批准)[^\n]*",
        r"本条例未作规定的[^。\n]*。",
    ),
}


def detect_language(text: str) -> str:
    """``"zh"`` when at least a fifth of the letters (of the first 5,000 characters) are
    Chinese characters, else ``"en"``.

    Examples
    --------
    >>> detect_language("本条例自公布之日起施行。"), detect_language("This act shall take effect.")
    ('zh', 'en')
    """
    sample = text[:5000]  # the opening is enough to tell the script
    letters = len(re.findall(r"[^\W\d_]", sample))
    cjk = len(re.findall(rf"[{_CJK}]", sample))
    return "zh" if letters and cjk / letters >= 0.2 else "en"


@dataclass
class Vocabulary:
    """Maps token strings to integer ids, shared by all texts compared together."""

    ids: dict[str, int] = field(default_factory=dict)

    def encode(self, words: list[str]) -> np.ndarray:
        get = self.ids.setdefault
        return np.fromiter((get(w, len(self.ids)) for w in words), dtype=np.int64,
                           count=len(words))


@dataclass(frozen=True)
class Tokens:
    """One text as tokens: ``ids``, ``weights``, character ``spans`` and ``segments``.

    ``segments`` holds the token index where each segment starts, plus the total, so
    segment ``k`` is ``ids[segments[k]:segments[k + 1]]``.
    """

    text: str
    language: str
    words: tuple[str, ...]
    ids: np.ndarray
    weights: np.ndarray
    spans: np.ndarray
    segments: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def n_segments(self) -> int:
        return len(self.segments) - 1

    def passage(self, first: int, last: int) -> str:
        """The original text from token ``first`` to token ``last`` (inclusive)."""
        return self.text[int(self.spans[first, 0]):int(self.spans[last, 1])]

    def segment_text(self, k: int) -> str:
        """Segment ``k`` as written, up to where the next segment starts (punctuation kept)."""
        a, b = int(self.segments[k]), int(self.segments[k + 1])
        if b <= a:
            return ""
        end = int(self.spans[b, 0]) if b < len(self.ids) else len(self.text)
        return self.text[int(self.spans[a, 0]):end].strip()


def tokenize(text: str, *, language: str = "auto", tokenizer: str = "default",
             vocabulary: Vocabulary | None = None, boilerplate: tuple[str, ...] | None = None,
             boilerplate_weight: float = 0.1, max_segment: int = 400) -> Tokens:
    """Split ``text`` into weighted tokens and segments.

    English texts become lower-cased words; Chinese texts single characters
    (``tokenizer="jieba"``: jieba's words). Punctuation and spaces are dropped.
    Segments are articles (第…条) when a Chinese text has at least three, otherwise
    sentences; a segment longer than ``max_segment`` tokens is cut into pieces.

    Examples
    --------
    >>> t = tokenize("Be it enacted by the Legislature: A person may stand. Section 2. Go.")
    >>> t.words[:4], t.weights[:5].tolist(), t.n_segments
    (('be', 'it', 'enacted', 'by'), [0.1, 0.1, 0.1, 0.1, 0.1], 4)
    >>> tokenize("第一条 文明。\\n第二条 友善。\\n第三条 守法。").n_segments
    3
    """
    check_choice("language", language, ("auto", "en", "zh"))
    check_choice("tokenizer", tokenizer, ("default", "jieba"))
    lang = detect_language(text) if language == "auto" else language
    if lang == "zh" and tokenizer == "jieba":
        words, spans = _jieba_tokens(text)
        span_arr = np.asarray(spans, dtype=np.int64).reshape(-1, 2)
    else:
        lower = text.lower()
        if len(lower) != len(text):  # a few characters change length when lower-cased
            lower = "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)
        words = _TOKEN[lang].findall(lower)  # findall and start offsets: faster than Match objects
        starts = np.fromiter((m.start() for m in _TOKEN[lang].finditer(lower)), dtype=np.int64,
                             count=len(words))
        span_arr = np.stack([starts, starts + np.fromiter(map(len, words), dtype=np.int64,
                                                          count=len(words))], axis=1)
    vocab = vocabulary if vocabulary is not None else Vocabulary()
    ids = vocab.encode(words)
    weights = _weights(text, lang, span_arr, BOILERPLATE[lang] if boilerplate is None
                       else boilerplate, boilerplate_weight)
    segments = _segments(text, lang, span_arr, max_segment)
    return Tokens(text, lang, tuple(words), ids, weights, span_arr, segments)


def _jieba_tokens(text: str) -> tuple[list[str], list[tuple[int, int]]]:
    jieba = require("jieba", feature="tokenizer='jieba'", extra="reinvention")
    jieba.setLogLevel(60)
    words, spans = [], []
    for w, a, b in jieba.tokenize(text):
        if re.search(rf"[{_CJK}A-Za-z0-9]", w):
            words.append(w.lower())
            spans.append((a, b))
    return words, spans


def _weights(text: str, lang: str, spans: np.ndarray, patterns: tuple[str, ...],
             weight: float) -> np.ndarray:
    w = np.ones(len(spans))
    if not len(spans):
        return w
    starts = spans[:, 0]
    flags = re.IGNORECASE if lang == "en" else 0
    for pat in patterns:
        for m in re.finditer(pat, text, flags):
            lo, hi = np.searchsorted(starts, [m.start(), m.end()])
            w[lo:hi] = weight
    return w


def _segments(text: str, lang: str, spans: np.ndarray, max_segment: int) -> np.ndarray:
    cuts = [m.start() for m in _ARTICLE.finditer(text)] if lang == "zh" else []
    if len(cuts) < 3:
        cuts = [m.end() for m in _SENTENCE[lang].finditer(text)]
    starts = spans[:, 0] if len(spans) else np.zeros(0, dtype=np.int64)
    bounds = sorted(set(np.searchsorted(starts, cuts).tolist()) | {0, len(spans)})
    out = [bounds[0]]
    for b in bounds[1:]:
        while b - out[-1] > max_segment:
            out.append(out[-1] + max_segment)
        if b > out[-1]:
            out.append(b)
    if len(out) == 1:
        out.append(len(spans))
    return np.asarray(out, dtype=np.int64)
