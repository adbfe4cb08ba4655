"""The shipped CJK font covers every Chinese character the package itself can draw:
shipped tables (city names such as 深圳, 东莞, 亳州) and translations in the source."""

import sys
from pathlib import Path

from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))

from subset_cjk_font import shipped_chinese  # noqa: E402


def test_shipped_font_has_every_shipped_chinese_character():
    font = TTFont(ROOT / "src/policydiffusion/report/fonts/PolicyDiffusionSansSC-Regular.otf")
    cmap = font.getBestCmap()
    chars = shipped_chinese(ROOT / "src/policydiffusion")
    assert {"深", "圳", "莞"} <= chars  # the scan reads the prefecture table
    missing = sorted(c for c in chars if ord(c) not in cmap)
    assert not missing, "".join(missing)
