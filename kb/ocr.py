"""OCR of PDF pages that have no usable text layer (scans): render with pypdfium2, read with RapidOCR.

The models (PP-OCRv6 Chinese detection and recognition, ONNX) ship inside the ``rapidocr``
wheel and run on ``onnxruntime``; they are opened by explicit path, so nothing is ever
downloaded (rapidocr would otherwise fetch a missing model from the network). A page scanned on
its side or upside down is turned upright before it is read (:func:`read_page`).

Limits, so that a scan cannot become a way around the parser's limits (see
docs/reliability.md): at most :attr:`OcrSettings.max_pages` pages per document and
:attr:`OcrSettings.max_seconds` of OCR per document, each with a clear message; a page is
rendered with at most :attr:`OcrSettings.max_side` pixels on its longer side, whatever its
size in the PDF claims; a page whose images declare more than :data:`MAX_IMAGE_PIXELS`
pixels is refused before it is rendered. In an ingest this runs inside the worker process
(kb/worker.py), under its memory ceiling and wall-clock limit.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import UnreadableDocument, damage_reason

RAPIDOCR_VERSION = "3.10.0"  # the wheel whose bundled model files are named below
DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
MAX_IMAGE_PIXELS = 120_000_000
"""Sum of the declared pixel counts of the images on one page (a 600 dpi A3 scan is ~70 M)."""
_BLANK_INK_SHARE = 0.0005  # a rendered page with less dark ink than this holds no text
_MIN_LINE_SCORE = 0.5
_SURE_SCORE = 0.85  # a page read this well the way it lies is not tried another way round
_TALL = 1.5  # a text box this many times taller than wide runs down the page (a page on its side)
_ENGINE_MAX_SIDE = 10_000


@dataclass(frozen=True)
class OcrSettings:
    """How (and whether) pages without a text layer are OCR'd; see :class:`~kb.config.KBConfig`."""

    enabled: bool = True
    max_pages: int = 100
    max_seconds: float = 1200.0
    dpi: int = 200
    max_side: int = 2400  # pixels on the longer side of a rendered page (caps memory and time)


@dataclass(frozen=True)
class OcrEvent:
    """Progress of the OCR of one document: ``start`` (before the first page) or ``page``."""

    kind: str  # "start" | "page"
    done: int  # pages finished
    total: int  # pages to OCR in this document
    seconds: float  # spent on OCR so far (model loading excluded)


OcrProgress = Callable[[OcrEvent], None]


@dataclass(frozen=True)
class OcrPage:
    number: int  # 1-based page number
    text: str
    confidence: float | None  # mean recognition score, weighted by characters; None without text
    turned: int = 0  # degrees (counter-clockwise) the page image was turned to read it upright


def progress_text(done: int, total: int, seconds: float) -> str:
    """``OCR 第 3/10 页，预计还需约 40 秒`` — for progress bars (CLI and app)."""
    if done <= 0:
        return f"OCR 第 1/{total} 页（正在估算用时）"
    left = seconds / done * (total - done)
    if done >= total:
        return f"OCR 已完成 {total} 页，用时 {seconds:.0f} 秒"
    when = f"约 {left:.0f} 秒" if left < 120 else f"约 {left / 60:.0f} 分钟"
    return f"OCR 第 {done + 1}/{total} 页，预计还需{when}"


# ----------------------------------------------------------------------------- engine

_engine = None
_engine_lock = threading.Lock()


class OcrUnavailable(Exception):
    """The OCR engine cannot be loaded; ``str(exc)`` is a Chinese reason."""


def model_paths() -> tuple[Path, Path]:
    """The detection and recognition models inside the installed rapidocr wheel."""
    import importlib.util

    spec = importlib.util.find_spec("rapidocr")
    if spec is None or not spec.submodule_search_locations:
        raise OcrUnavailable("未安装 OCR 组件 rapidocr，无法识别扫描件；"
                             f"请安装：pip install rapidocr=={RAPIDOCR_VERSION} onnxruntime")
    models = Path(list(spec.submodule_search_locations)[0]) / "models"
    return models / DET_MODEL, models / REC_MODEL


def engine_loaded() -> bool:
    return _engine is not None


def load_engine():
    """The RapidOCR engine (loaded once per process; models opened by path, never downloaded)."""
    global _engine
    with _engine_lock:
        if _engine is not None:
            return _engine
        det, rec = model_paths()
        missing = [p.name for p in (det, rec) if not p.is_file()]
        if missing:
            raise OcrUnavailable(f"OCR 模型文件缺失（{'、'.join(missing)}），rapidocr 安装不完整；"
                                 f"请重新安装：pip install --force-reinstall rapidocr=={RAPIDOCR_VERSION}")
        import numpy as np

        try:
            from rapidocr import RapidOCR
        except ImportError as exc:  # onnxruntime or opencv missing
            raise OcrUnavailable(f"OCR 组件无法加载（缺少 {exc.name or exc}）；"
                                 f"请安装：pip install rapidocr=={RAPIDOCR_VERSION} onnxruntime") from exc

        engine = RapidOCR(params={
            "Global.log_level": "error",
            "Global.use_cls": False,  # whole pages are turned upright by read_page, not line by line
            "Global.max_side_len": _ENGINE_MAX_SIDE,  # never rescale what render_page made
            # Text is found on the page scaled to at most 1600 pixels (lines are then read at
            # full resolution): measured on a dense A4 scan, the same characters at a third of
            # the detection time and 0.5 GB instead of 0.7–1 GB of peak memory.
            "Det.limit_type": "max",
            "Det.limit_side_len": 1600,
            "Det.model_path": str(det),
            "Rec.model_path": str(rec),
        })
        # Both models load lazily on first use: load them now, so that the time and memory of
        # loading are not charged to the first page.
        blank = np.full((48, 320, 3), 255, dtype=np.uint8)
        engine(blank, use_det=True, use_rec=False)
        engine(blank, use_det=False, use_rec=True)
        engine.update_params(use_det=True, use_rec=True)
        _engine = engine
        return engine


# ----------------------------------------------------------------------------- pages

def image_pixels(page) -> int:
    """Sum of the declared sizes of the image XObjects a pypdf page draws (0 when unknown)."""
    total = 0
    try:
        resources = page.get("/Resources")
        xobjects = resources.get_object().get("/XObject") if resources is not None else None
        if xobjects is None:
            return 0
        for ref in xobjects.get_object().values():
            obj = ref.get_object()
            if obj.get("/Subtype") == "/Image":
                total += max(0, int(obj.get("/Width", 0))) * max(0, int(obj.get("/Height", 0)))
    except Exception:  # a broken resource dictionary: pdfium decides when rendering
        return total
    return total


def image_coverage(path: str | Path, numbers: Sequence[int]) -> dict[int, float]:
    """Share (0–1) of each page in ``numbers`` (1-based) covered by the images it draws.

    Images drawn directly on the page count with their bounds; a form XObject that holds an
    image counts with the form's bounds. A page pdfium cannot read counts as 0 (not a scan).
    """
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    out = {n: 0.0 for n in numbers}
    try:
        pdf = pdfium.PdfDocument(str(path))
    except (pdfium.PdfiumError, OSError, ValueError):
        return out
    try:
        for n in numbers:
            if not 1 <= n <= len(pdf):
                continue
            page = pdf[n - 1]
            try:
                left, bottom, right, top = page.get_bbox()
                area = (right - left) * (top - bottom)
                if not area > 0:
                    continue
                covered = 0.0
                for obj in page.get_objects(max_depth=1):
                    if obj.type == raw.FPDF_PAGEOBJ_FORM:
                        if next(page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=4, form=obj, level=1),
                                None) is None:
                            continue
                    elif obj.type != raw.FPDF_PAGEOBJ_IMAGE:
                        continue
                    x0, y0, x1, y1 = obj.get_bounds()
                    w = min(x1, right) - max(x0, left)
                    h = min(y1, top) - max(y0, bottom)
                    if w > 0 and h > 0:
                        covered += w * h
                out[n] = min(1.0, covered / area)
            except (pdfium.PdfiumError, ValueError):
                continue
            finally:
                page.close()
    finally:
        pdf.close()
    return out


def render_page(pdf, index: int, settings: OcrSettings):
    """Page ``index`` (0-based) of a pypdfium2 document as a grayscale array, or None when
    the page has no area. The scale is ``settings.dpi``, reduced so that the longer side has
    at most ``settings.max_side`` pixels whatever size the page claims."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        if not (width >= 1 and height >= 1):  # zero-size, negative or NaN page box
            return None
        scale = min(settings.dpi / 72, settings.max_side / max(width, height))
        if width * scale < 8 or height * scale < 8:
            return None
        bitmap = page.render(scale=scale, grayscale=True)
        try:
            return bitmap.to_numpy().copy()
        finally:
            bitmap.close()
    finally:
        page.close()


def is_blank(image) -> bool:
    """Nothing on the page darker than light grey (a blank or near-blank page)."""
    return float((image < 160).mean()) < _BLANK_INK_SHARE


_CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef"
_TO_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_HALF_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[,:;!?()]|[,:;!?()](?=[{_CJK}])")


def fullwidth_punctuation(text: str) -> str:
    """ASCII ``,:;!?()`` next to a Chinese character becomes full-width, as typeset Chinese has it
    (the recogniser returns the ASCII form for both; ``3.7`` or ``(2023)`` stay as they are)."""
    return _HALF_NEAR_CJK.sub(lambda m: _TO_FULL[m.group(0)], text)


def page_text(result) -> tuple[str, float | None]:
    """Lines of a RapidOCR result in reading order, and their character-weighted mean score.

    Boxes whose vertical centres fall within half a line height of each other form one line,
    read left to right (the detector may cut one printed line into several boxes).
    """
    if not result or result.txts is None:
        return "", None
    items = []
    for box, text, score in zip(result.boxes, result.txts, result.scores):
        text = (text or "").strip()
        if not text or score < _MIN_LINE_SCORE:
            continue
        ys = [float(p[1]) for p in box]
        xs = [float(p[0]) for p in box]
        items.append(((min(ys) + max(ys)) / 2, max(ys) - min(ys), min(xs), text, float(score)))
    items.sort(key=lambda t: (t[0], t[2]))
    lines: list[list[tuple]] = []
    for item in items:
        if lines:
            row = lines[-1]
            centre = sum(i[0] for i in row) / len(row)
            height = max(i[1] for i in row)
            if abs(item[0] - centre) <= max(height, item[1]) / 2:
                row.append(item)
                continue
        lines.append([item])
    out = []
    for row in lines:
        row.sort(key=lambda t: t[2])
        out.append(fullwidth_punctuation(" ".join(t[3] for t in row)))
    chars = sum(len(t[3]) for t in items)
    score = sum(len(t[3]) * t[4] for t in items) / chars if chars else None
    return "\n".join(out), score


def _sideways_share(result) -> float:
    """Share of the recognised characters whose box is much taller than wide."""
    if not result or result.txts is None:
        return 0.0
    chars = tall = 0
    for box, text in zip(result.boxes, result.txts):
        ys = [float(p[1]) for p in box]
        xs = [float(p[0]) for p in box]
        chars += len(text or "")
        tall += len(text or "") * ((max(ys) - min(ys)) > _TALL * (max(xs) - min(xs)))
    return tall / chars if chars else 0.0


def _strength(result) -> float:
    """Characters read with a usable score, weighted by their score."""
    if not result or result.txts is None:
        return 0.0
    return sum(len(t or "") * float(s) for t, s in zip(result.txts, result.scores) if s >= _MIN_LINE_SCORE)


def read_page(engine, image, number: int, name: str) -> tuple[str, float | None, int]:
    """Text, confidence and turn (degrees counter-clockwise) of one page image.

    A scan fed in on its side or upside down reads as scattered low-score boxes, or as lines
    running down the page. Then the page is read again turned (a quarter turn either way for a
    page on its side, a half turn otherwise) and the reading with the most well-recognised
    characters is kept. A page read well the way it lies costs nothing more.
    """
    import numpy as np

    result = _recognise(engine, image, number, name)
    text, score = page_text(result)
    sideways = _sideways_share(result) > 0.5
    if not result or result.txts is None or not len(result.txts) or (
            not sideways and score is not None and score >= _SURE_SCORE):
        return text, score, 0
    # Lines running down the page may still read well (the recogniser turns tall boxes), but in
    # the wrong order: an upright reading is preferred unless it finds clearly less.
    best = (_strength(result) * (0.8 if sideways else 1.0), text, score, 0)
    for k in ((1, 3) if sideways else (2,)):
        turned = _recognise(engine, np.ascontiguousarray(np.rot90(image, k)), number, name)
        if _sideways_share(turned) > 0.5:
            continue
        strength = _strength(turned)
        if strength > best[0]:
            best = (strength, *page_text(turned), 90 * k)
    return best[1], best[2], best[3]


def _engine_for(name: str):
    try:
        return load_engine()
    except OcrUnavailable as exc:
        raise UnreadableDocument(name, str(exc)) from exc


def _recognise(engine, image, number: int, name: str):
    try:
        return engine(image)
    except MemoryError:
        raise
    except Exception as exc:  # onnxruntime wraps a failed allocation in its own error
        if "alloc" in str(exc).lower():
            raise MemoryError(str(exc)[:200]) from exc
        raise UnreadableDocument(name, f"第 {number} 页 OCR 识别出错（{damage_reason(exc)}），未索引") from exc


def ocr_pdf_pages(path: str | Path, numbers: Sequence[int], settings: OcrSettings, name: str = "",
                  pypdf_pages: Sequence | None = None, progress: OcrProgress | None = None) -> list[OcrPage]:
    """OCR the pages ``numbers`` (1-based) of the PDF at ``path``.

    Raises :class:`UnreadableDocument` with a Chinese reason when a limit is exceeded or
    the PDF cannot be rendered. ``pypdf_pages`` (the same pages read by pypdf) lets declared
    image sizes be checked before anything is decoded.
    """
    name = name or str(path)
    total = len(numbers)
    if total > settings.max_pages:
        raise UnreadableDocument(name, f"有 {total} 页没有文字层（扫描件），超过单个文档 OCR 上限 {settings.max_pages} 页；"
                                       "请拆分成几个文件后再导入（或调高 KBConfig.ocr_max_pages）")
    if pypdf_pages is not None:
        for n in numbers:
            pixels = image_pixels(pypdf_pages[n - 1])
            if pixels > MAX_IMAGE_PIXELS:
                raise UnreadableDocument(name, f"第 {n} 页的图片共 {pixels / 1e6:.0f} 百万像素，超过 OCR 上限 "
                                               f"{MAX_IMAGE_PIXELS // 1_000_000} 百万像素（疑似图片炸弹），未索引")
    import pypdfium2 as pdfium

    if progress:
        progress(OcrEvent("start", 0, total, 0.0))
    engine = _engine_for(name)  # loaded before the clock starts (a few seconds, once per process)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(name, f"扫描页无法渲染（PDF 结构异常：{exc}），未索引") from exc
    out: list[OcrPage] = []
    spent = 0.0
    try:
        if len(pdf) < max(numbers, default=0):
            raise UnreadableDocument(name, "扫描页无法渲染（页数与 PDF 目录不符），未索引")
        for done, n in enumerate(numbers):
            started = time.perf_counter()
            try:
                image = render_page(pdf, n - 1, settings)
            except (pdfium.PdfiumError, ValueError) as exc:
                raise UnreadableDocument(name, f"第 {n} 页无法渲染（{damage_reason(exc)}），未索引") from exc
            text, score, turned = "", None, 0
            if image is not None and not is_blank(image):
                text, score, turned = read_page(engine, image, n, name)
            out.append(OcrPage(n, text, score, turned))
            spent += time.perf_counter() - started
            if progress:
                progress(OcrEvent("page", done + 1, total, spent))
            if spent > settings.max_seconds and done + 1 < total:
                raise UnreadableDocument(name, f"OCR 用时超过单个文档上限 {settings.max_seconds:.0f} 秒（已识别 {done + 1}/{total} 页），"
                                               "未索引；请拆分成几个文件后再导入（或调高 KBConfig.ocr_max_seconds）")
    finally:
        pdf.close()
    return out
