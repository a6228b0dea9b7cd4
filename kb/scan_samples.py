"""Synthetic scanned pages for the OCR tests and ``kb bench ocr``.

Chinese text is drawn with a CJK font (Noto CJK, Debian package ``fonts-noto-cjk``) onto a
white page, then degraded the way a cheap office scan is: a slight skew, blur, sensor noise
and JPEG compression. The page images go into a PDF with no text layer, as a scanner writes
them. :func:`character_accuracy` scores OCR output against the text that was drawn.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FONT_DIRS = ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto", "/usr/share/fonts")
FONT_NAMES = ("NotoSerifCJK-Regular.ttc", "NotoSansCJK-Regular.ttc", "NotoSerifCJKsc-Regular.otf",
              "NotoSansCJKsc-Regular.otf", "NotoSansCJK-Regular.otf")
# Index of the Simplified Chinese face inside the Noto CJK collections (JP, KR, SC, TC, HK).
_TTC_SC_INDEX = 2


@dataclass(frozen=True)
class Degradation:
    """How a clean page is spoilt: skew (degrees), Gaussian blur radius and noise sigma (pixels,
    grey levels), JPEG quality."""

    skew_deg: float = 1.0
    blur: float = 1.0
    noise: float = 18.0
    jpeg_quality: int = 60


CLEAN = Degradation(0.0, 0.0, 0.0, 95)


def find_cjk_font() -> Path | None:
    """A font file that can draw Simplified Chinese, or None."""
    for folder in FONT_DIRS:
        for name in FONT_NAMES:
            hits = sorted(Path(folder).rglob(name)) if Path(folder).is_dir() else []
            if hits:
                return hits[0]
    return None


def _font(size_px: int, font_path: Path | None = None):
    from PIL import ImageFont

    path = font_path or find_cjk_font()
    if path is None:
        raise FileNotFoundError("找不到中文字体（Noto CJK）。Debian/Ubuntu 上请安装：apt-get install fonts-noto-cjk")
    index = _TTC_SC_INDEX if str(path).endswith(".ttc") else 0
    return ImageFont.truetype(str(path), size_px, index=index)


def wrap_lines(text: str, per_line: int) -> list[str]:
    """Cut ``text`` (whitespace removed) into lines of ``per_line`` characters."""
    text = re.sub(r"\s", "", text)
    return [text[i:i + per_line] for i in range(0, len(text), per_line)]


def draw_page(lines: Sequence[str], size_px: tuple[int, int] = (1654, 2339), font_px: int = 40,
              margin_px: tuple[int, int] = (150, 160), line_gap: float = 1.4, font_path: Path | None = None):
    """A clean greyscale page (PIL image) with ``lines`` drawn top to bottom."""
    from PIL import Image, ImageDraw

    image = Image.new("L", size_px, 255)
    draw = ImageDraw.Draw(image)
    font = _font(font_px, font_path)
    y = margin_px[1]
    for line in lines:
        draw.text((margin_px[0], y), line, font=font, fill=0)
        y += int(font_px * line_gap)
    return image


def degrade(image, how: Degradation = Degradation(), seed: int = 0):
    """``image`` as a cheap scan would give it back (same size, greyscale)."""
    import numpy as np
    from PIL import Image, ImageFilter

    if how.skew_deg:
        image = image.rotate(how.skew_deg, resample=Image.BICUBIC, fillcolor=255)
    if how.blur:
        image = image.filter(ImageFilter.GaussianBlur(how.blur))
    if how.noise:
        rng = np.random.default_rng(seed)
        pixels = np.asarray(image, dtype=np.float32) + rng.normal(0.0, how.noise, (image.height, image.width))
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=how.jpeg_quality)
    buf.seek(0)
    return Image.open(buf).convert("L")


def write_scan_pdf(path: str | Path, pages: Sequence[Sequence[str]], dpi: int = 200,
                   how: Degradation = Degradation(), size_px: tuple[int, int] = (1654, 2339), font_px: int = 40,
                   margin_px: tuple[int, int] = (150, 160), seed: int = 0, turns: Sequence[int] = ()) -> Path:
    """A PDF of scanned pages (JPEG images, no text layer), one per entry of ``pages``.

    ``turns`` gives, page by page, the degrees (counter-clockwise, a multiple of 90) a sheet was
    turned when it went through the scanner (missing entries: 0, upright)."""
    images = [degrade(draw_page(lines, size_px, font_px, margin_px), how, seed + i) for i, lines in enumerate(pages)]
    images = [im.rotate(turn, expand=True) if turn else im for im, turn in zip(images, [*turns, *[0] * len(images)])]
    path = Path(path)
    images[0].save(path, "PDF", resolution=float(dpi), save_all=True, append_images=images[1:], quality=85)
    return path


def normalise_for_scoring(text: str, fold: bool = True) -> str:
    """Drop whitespace; with ``fold``, also compatibility-fold (NFKC: full-width and half-width
    forms of punctuation, digits and letters count as the same character)."""
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", text) if fold else text)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions all cost 1)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        cur = [i]
        for j, cb in enumerate(b, start=1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def character_accuracy(truth: str, got: str, fold: bool = True) -> float:
    """1 − edit distance / length of the truth, after :func:`normalise_for_scoring` (can go below 0)."""
    t, g = normalise_for_scoring(truth, fold), normalise_for_scoring(got, fold)
    return 1.0 - edit_distance(t, g) / max(1, len(t))
