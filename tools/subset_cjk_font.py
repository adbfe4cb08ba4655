"""Build the Chinese font shipped in src/policydiffusion/report/fonts/.

Source: Noto Sans CJK SC Regular (SIL Open Font License 1.1), face 2 of Debian's
fonts-noto-cjk 1:20220127 ``/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc``
(``apt-get install fonts-noto-cjk``). Kept glyphs: ASCII and Latin-1, the GB2312
symbol rows (punctuation, full-width forms), all 3,755 GB2312 level-1 hanzi, and
every CJK character of the shipped tables (not the text corpora) and the source. The
family is renamed "PolicyDiffusion Sans SC" (a modified version under the OFL).

Run from the repository root:  python3 tools/subset_cjk_font.py
"""

from __future__ import annotations

from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection

SRC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
FACE = 2  # Noto Sans CJK SC
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/policydiffusion/report/fonts/PolicyDiffusionSansSC-Regular.otf"
FAMILY = "PolicyDiffusion Sans SC"


def gb2312(rows: range) -> set[str]:
    out = set()
    for hi in rows:
        for lo in range(0xA1, 0xFF):
            try:
                out.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return out


def shipped_chinese(package: Path) -> set[str]:
    """Every CJK character the package can put on a figure or page by itself: the
    shipped tables (CSV, plain or gzipped, except the policy-text corpora, whose
    characters are read, not drawn) and the source (translations, labels)."""
    import gzip

    out: set[str] = set()
    data = package / "datasets/data"
    for f in sorted(data.rglob("*.csv")) + sorted(data.rglob("*.csv.gz")):
        if "texts" in f.parent.name:
            continue
        raw = gzip.decompress(f.read_bytes()) if f.suffix == ".gz" else f.read_bytes()
        out |= set(raw.decode("utf-8"))
    for f in sorted(package.rglob("*.py")):
        out |= set(f.read_text(encoding="utf-8"))
    return {c for c in out if 0x2E80 <= ord(c) <= 0x9FFF or 0xF900 <= ord(c) <= 0xFAFF
            or 0xFF00 <= ord(c) <= 0xFFEF or 0x3000 <= ord(c) <= 0x303F}


def main() -> None:
    chars = {chr(c) for c in range(0x20, 0x7F)} | {chr(c) for c in range(0xA0, 0x100)}
    chars |= {chr(c) for c in range(0x2010, 0x2028)} | {"\u2212", "\u00b0", "\u2030", "\u2026"}
    chars |= gb2312(range(0xA1, 0xAA)) | gb2312(range(0xB0, 0xD8))
    chars |= shipped_chinese(ROOT / "src/policydiffusion")
    chars = {c for c in chars if c.isprintable() or c == " "}
    font = TTCollection(SRC).fonts[FACE]
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.name_languages = ["*"]
    opts.notdef_outline = True
    opts.hinting = False
    sub = subset.Subsetter(opts)
    sub.populate(text="".join(sorted(chars)))
    sub.subset(font)
    names = font["name"]
    for rec in names.names:
        if rec.nameID in (1, 16):
            rec.string = FAMILY
        elif rec.nameID == 4:
            rec.string = FAMILY + " Regular"
        elif rec.nameID == 6:
            rec.string = "PolicyDiffusionSansSC-Regular"
        elif rec.nameID == 3:
            rec.string = "PolicyDiffusionSansSC-Regular;subset of Noto Sans CJK SC 2.004"
    cff = font["CFF "].cff
    cff.fontNames = ["PolicyDiffusionSansSC-Regular"]
    font.save(OUT)
    print(f"{OUT}: {OUT.stat().st_size / 1e6:.2f} MB, {len(chars)} characters")


if __name__ == "__main__":
    main()
