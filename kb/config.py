"""One frozen configuration; ``KB_HOME`` moves corpus and indexes, ``KB_MODEL`` the model."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_MODEL = "m3e-small"


def _default_home() -> Path:
    env = os.environ.get("KB_HOME")
    if env:
        return Path(env).expanduser().resolve()
    return Path.cwd()


@dataclass(frozen=True)
class KBConfig:
    """Every knob with a default; override with ``dataclasses.replace``."""

    home: Path = field(default_factory=_default_home)
    model: str = field(default_factory=lambda: os.environ.get("KB_MODEL", DEFAULT_MODEL))
    # chunking (Chinese characters)
    chunk_min_chars: int = 150
    chunk_max_chars: int = 400
    # fusion
    fusion: str = "rrf"  # rrf | weighted
    rrf_k: int = 60
    bm25_weight: float = 1.0
    dense_weight: float = 1.0
    candidates: int = 100
    embed_batch_size: int = 32
    max_file_mb: int = 100

    @property
    def corpus_dir(self) -> Path:
        return self.home / "corpus"

    @property
    def index_dir(self) -> Path:
        return self.home / "indexes"
