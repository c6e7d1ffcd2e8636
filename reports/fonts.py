"""A font with Chinese glyphs for the charts, found without any system package.

Order: the office's own file (HOTLINE_CJK_FONT), Noto Sans CJK SC shipped by the `mplfonts`
wheel (a project dependency, so a fresh `pip install` has it), then any CJK font installed
on the system. Without one the charts would show empty boxes, so that case is logged loudly.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from importlib import resources
from pathlib import Path

from matplotlib import font_manager

log = logging.getLogger(__name__)

_SYSTEM_HINTS = (
    "notosanscjk",
    "notosanssc",
    "sourcehansans",
    "wqy",
    "simhei",
    "msyh",
    "pingfang",
    "droidsansfallback",
)


def _candidates() -> list[Path]:
    found: list[Path] = []
    if own := os.environ.get("HOTLINE_CJK_FONT"):
        found.append(Path(own))
    try:
        shipped = resources.files("mplfonts").joinpath("fonts", "NotoSansCJKsc-Regular.otf")
        found.append(Path(str(shipped)))
    except ModuleNotFoundError:
        pass
    for path in font_manager.findSystemFonts():
        name = Path(path).name.lower().replace("-", "").replace("_", "")
        if any(hint in name for hint in _SYSTEM_HINTS):
            found.append(Path(path))
    return found


@cache
def cjk_font_family() -> str | None:
    """Register the first usable CJK font with matplotlib and return its family name."""
    for path in _candidates():
        if not path.is_file():
            continue
        try:
            font_manager.fontManager.addfont(str(path))
            return font_manager.FontProperties(fname=str(path)).get_name()
        except (OSError, RuntimeError, ValueError) as exc:
            log.warning("cannot use font %s: %s", path, exc)
    log.error("no font with Chinese glyphs found: install the mplfonts package or set HOTLINE_CJK_FONT")
    return None
