"""提升行动案例知识库: local hybrid search over reports, enterprise cases and local experiences."""

from .config import KBConfig
from .errors import KBError
from .knowledge_base import Filters, IngestReport, KnowledgeBase
from .records import Case, CaseHit, Chunk, Document, Hit, Outcome, Region

__all__ = [
    "KnowledgeBase", "KBConfig", "Filters", "IngestReport",
    "Document", "Chunk", "Case", "CaseHit", "Hit", "Outcome", "Region", "KBError",
]
__version__ = "0.1.0"
