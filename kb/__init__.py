"""提升行动案例知识库: local hybrid search over reports, enterprise cases and local experiences."""

from typing import TYPE_CHECKING

from .config import KBConfig
from .errors import KBError
from .records import Case, CaseHit, Chunk, Document, Hit, Outcome, Region

if TYPE_CHECKING:  # imported on first use (see __getattr__ below)
    from .knowledge_base import Filters, IngestReport, KnowledgeBase

__all__ = [
    "KnowledgeBase", "KBConfig", "Filters", "IngestReport",
    "Document", "Chunk", "Case", "CaseHit", "Hit", "Outcome", "Region", "KBError",
]
__version__ = "0.1.0"

# The knowledge base pulls in numpy, FAISS and the tokenizer: loaded on first use, so that
# ``kb --help`` starts at once and a Ctrl-C at start-up lands in the CLI's own handler.
_LAZY = {"KnowledgeBase": "knowledge_base", "Filters": "knowledge_base", "IngestReport": "knowledge_base"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
