"""The shapes of the HTTP API's answers, for its OpenAPI document (``/openapi.json``, ``/docs``).

The endpoints return the dictionaries the CLI prints (``Hit.as_dict``, ``CaseHit.as_dict``,
``KnowledgeBase.search_json``), unchanged; these models only describe them. ``extra="forbid"``
lets ``tests/test_api.py`` check real answers against them: a key added on one side and not
the other fails the test instead of going undocumented.
"""

# No ``from __future__ import annotations``: pydantic and FastAPI read these annotations at run time.
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from .records import KINDS, kind_value
from .retrieval import MODES

# Enums in the OpenAPI document, from the same tuples the library checks against.
Mode = Literal[MODES]  # Literal["hybrid", "bm25", "dense"]
Kind = Literal[KINDS]  # Literal["report", "enterprise_case", "local_experience"]


def _blank_is_none(value):
    """``kind=`` (empty) means no filter, surrounding spaces are ignored, as before enums, and a
    Chinese name is its code (kind=地方经验 → local_experience)."""
    if isinstance(value, str):
        return kind_value(value)
    return value


OptionalKind = Annotated[Kind | None, BeforeValidator(_blank_is_none)]


def _printed(end: bool = False):
    if end:
        return Field(None, description="段落结束处页面上印的页码（与 page_end 对应），与文件页码不同时给出；否则为 null")
    return Field(None, description="页面上印的页码，与文件页码不同时给出（如封面、目录之后从 1 起编）；否则为 null")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorResponse(_Model):
    """接口的所有错误：一句中文说明。"""

    error: str = Field(description="中文错误说明", examples=["未知的检索模式“magic”，可选：hybrid, bm25, dense。"])


class AnswerSentence(_Model):
    text: str = Field(description="原文中的一句")
    chunk_id: str = Field(description="所在分块")
    doc: str = Field(description="文档标题（与 title 相同；结果列表 results[].doc 是文档编号，对应这里的 doc_id）")
    doc_id: str = Field(description="文档编号（同 results[].doc）")
    title: str = Field(description="文档标题（同 results[].title）")
    section: str = Field(description="章节路径")
    page: int | None = Field(description="页码（DOCX/MD 为 null）")
    printed_page: str | None = _printed()
    score: float = Field(ge=0, le=1, description="（余弦 + 0.5 × 信息词占比）/ 1.5，0–1")


class OutlineItem(_Model):
    heading: str = Field(description="小标题（原文）")
    chunk_id: str = Field(description="这个小标题下的第一个分块")
    page: int | None = Field(description="页码（DOCX/MD 为 null）")
    printed_page: str | None = _printed()


class Outline(_Model):
    doc: str = Field(description="文档标题（与 title 相同）")
    doc_id: str = Field(description="文档编号（同 results[].doc）")
    title: str = Field(description="文档标题")
    section: str = Field(description="上一级章节路径（文档顶层为空字符串）")
    count: int = Field(ge=2, description="这一级小标题的个数")
    items: list[OutlineItem] = Field(description="小标题，按原文顺序（最多 20 个）")


class Definition(_Model):
    term: str = Field(description="术语")
    meaning: str = Field(description="一句话通俗解释")
    everyday: list[str] = Field(description="口语说法")
    source: str = Field(description="依据（GB/T 19000-2016、GB/T 27000-2006、“报告用语”、“行业用语”或“地名简称”）")


class Answer(_Model):
    sentences: list[AnswerSentence] = Field(description="最能直接回答问题的一两句")
    chunk_ids: list[str] = Field(description="这些句子所在的分块（去重）")
    outline: Outline | None = Field(description="问题在问“哪几条、有哪些打算”这类要点时，第一条结果所在章节的小标题提纲；否则为 null")
    unanswered: str | None = Field(None, description="问题问的是费用（多少钱）、时间（多久）、怎么办理（流程、材料、"
                                                     "去哪报名）或去哪投诉举报，而这一两句里没有写到时的说明（如“文档中没有写到"
                                                     "具体的费用数额”，问了几样时一并说明）；否则为 null")


class SearchHit(_Model):
    """一条检索结果（一个分块）。"""

    rank: int = Field(description="名次，从 1 起")
    score: float = Field(ge=0, le=1, description="0–1，见 README：检索与分数含义")
    chunk_id: str = Field(description="分块编号（文档编号-序号）")
    doc: str = Field(description="文档编号")
    kind: Kind = Field(description="类型：report 报告段落，enterprise_case 企业案例，local_experience 地方经验")
    title: str = Field(description="文档标题")
    section: str = Field(description="章节路径")
    page: int | None = Field(description="段落开始的页码（DOCX/MD 为 null）")
    page_end: int | None = Field(description="段落结束的页码（不跨页时与 page 相同；DOCX/MD 为 null）")
    printed_page: str | None = _printed()
    printed_page_end: str | None = _printed(end=True)
    region: str | None = Field(description="段落所说的地区（省市县连写）")
    industry: str | None = Field(description="GB/T 4754 大类名称")
    text: str = Field(description="分块的原文（显示用）")
    ocr: bool = Field(description="是否来自扫描件 OCR")
    ocr_confidence: float | None = Field(description="OCR 置信度 0–1")
    bm25_rank: int | None = Field(description="在关键词候选中的名次")
    dense_rank: int | None = Field(description="在向量候选中的名次")
    token_match: float | None = Field(description="逐字语义匹配（0–1，在前若干候选中相对而言；仅 hybrid）")
    matched_terms: list[str] = Field(description="段落中出现的查询词（含术语表扩展）")


class Region(_Model):
    """地区（省、市、县三级；不知道的一级为 null）。"""

    province: str | None = Field(description="省级名称（如“江苏省”）")
    city: str | None = Field(description="地级市名称")
    county: str | None = Field(description="县级名称（县、区、县级市）")


class Outcome(_Model):
    """一项量化成效，如“产品缺陷发生率从 15% 降至 7%”。"""

    metric: str = Field(description="指标（原文用语，如“产品缺陷发生率”）")
    before: float | None = Field(description="变化前的数值（单位见 unit）；原文没写时为 null")
    after: float | None = Field(description="变化后的数值，或只写了一个结果数时的那个数（如“带动3800余人”的 3800）；没有时为 null")
    change: float | None = Field(description="带符号的变化量，与 unit 同单位的绝对数（下降为负）：原文直接写变化时照录"
                                             "（“下降20.2%”→ -20.2，这时按原文可能是相对变化也可能是百分点）；"
                                             "原文写“从 A 到 B”时为 after − before（“从15%降至7%”→ -8，即 8 个百分点）；"
                                             "没写变化时为 null")
    unit: str | None = Field(description="单位（原文用语，如 %、万元、亿元、人、个月）；没有单位时为 null")
    page: int | None = Field(description="所在页码（DOCX/MD 为 null）")
    printed_page: str | None = _printed()
    approx: str = Field("", description="原文对这个数的限定：数内的“余”“多”，数后的“以上”“左右”，数前的“近”“约”“超过”“超”"
                                        "“逾”“不到”；精确数字（以及“从 A 到 B”）为空字符串")
    upto: float | None = Field(None, description="原文写的是范围时，范围的另一端（与 change 或 after 同单位、同符号："
                                                 "“缩短20%～30%”→ change -20、upto -30）；单个数字时为 null")


class CaseHit(_Model):
    """一个案例，与 `kb cases --json` 的一行相同。"""

    case_id: str = Field(description="案例编号（文档编号-c序号），用于 /api/cases/{案例编号}/similar")
    kind: Kind = Field(description="enterprise_case 企业案例，local_experience 地方经验")
    title: str = Field(description="标题：原文中的主体加它做的第一件事（不编造）")
    region: Region = Field(description="主要地区（regions 的第一个）")
    industry: str | None = Field(description="主要行业（industries 的第一个，GB/T 4754 大类名称）；识别不出时为 null")
    regions: list[Region] = Field(description="案例涉及的全部地区")
    industries: list[str] = Field(description="案例涉及的全部行业（GB/T 4754 大类名称）")
    industry_labels: list[str] = Field(description="如“C17 纺织业”")
    profile: str = Field(description="概况")
    problem: str = Field(description="存在的问题（原文）；原文没写时为空字符串")
    measures: str = Field(description="做法")
    outcomes: list[Outcome] = Field(description="量化成效")
    doc: str = Field(description="所在文档的编号（同检索结果的 doc）")
    section: str = Field(description="章节路径")
    page: int | None = Field(description="案例开始的页码（DOCX/MD 为 null）")
    page_end: int | None = Field(None, description="案例跨页时结束的页码（如跨两张幻灯片的案例：第 2–3 页）；不跨页时为 null")
    printed_page: str | None = _printed()
    printed_page_end: str | None = Field(None, description="案例结束处页面上印的页码（与 page_end 对应），与文件页码不同时给出；否则为 null")
    ocr: bool = Field(False, description="案例文字（部分）来自扫描件 OCR 识别，数字请核对原件")
    ocr_confidence: float | None = Field(None, description="OCR 置信度 0–1；不是 OCR 时为 null")
    text: str = Field(description="案例原文")
    score: float = Field(description="匹配度，等于 score_parts 各项之和；"
                                     "见 README：可比案例的排序与匹配度")
    score_parts: dict[str, float] = Field(description="分数构成（problem、industry、region、evidence），相加即 score")
    weak: bool = Field(False, description="给了问题、没给行业时，问题匹配低于参考案例门槛的案例为 true：列出仅供参考，"
                                          "并非与所述问题明显相符（网页与 kb cases 中以“仅供参考”隔开）")


class Guidance(_Model):
    """给企业主的参考案例。"""

    industry: str | None = Field(description="问题提到的行业（GB/T 4754 大类名称）；没提行业时为 null")
    heading: str = Field(description="界面和命令行放在这些案例上方的标题：案例都属于 industry 时为“同行怎么做的（行业）”"
                                     "或“相近行业的案例（行业）”，否则为“类似问题的案例”")
    cases: list[CaseHit] = Field(description="最可比、有量化成效的一两个案例（同 kb cases --json 的每一行）")


class SearchResponse(_Model):
    """检索结果，与 `kb search --json` 的一行相同。"""

    query: str = Field(description="查询（原样）")
    notes: list[str] = Field(description="提示：同音错字按哪个词理解（已按“认证贷”理解“认正贷”。）；"
                                         "未知行业、未识别的地区、不存在的文档编号（这时结果为空）；没有结果时说明原因"
                                         "（问题与文档无关，或没有达到相关度门槛的段落）")
    not_in_documents: list[str] = Field(description="查询里提到、但文档中没有出现的地名、行业、外文名称和认证实务话题（如 深圳、家具、CE认证、花钱买证）")
    definitions: list[Definition] = Field(default_factory=list, description="问题在问某个术语是什么意思（啥叫采信、链主是啥）时，"
                                                                        "术语表里它的通俗解释（最多两条）；否则为空列表")
    answer: Answer | None = Field(description="直接回答；bm25 模式或没有结果时为 null")
    guidance: Guidance | None = Field(description="给企业主的参考案例：问题提到的行业及其最可比、有量化成效的案例；"
                                                  "没提行业时只给问题与案例明显相符的；bm25 模式或没有时为 null")
    results: list[SearchHit] = Field(description="按 score 排序的段落（低于相关度阈值的不列出，除非 all=true）")


class CasesResponse(_Model):
    """可比案例，按匹配度排序。"""

    notes: list[str] = Field(default_factory=list, description="提示：问题描述里的同音错字按哪个词理解；"
                                                             "筛选条件的提示：未知行业、未识别的地区（这时结果为空）")
    results: list[CaseHit] = Field(description="案例，按 score 从高到低")


class SimilarResponse(_Model):
    """与一个案例最相似的其他案例。"""

    case_id: str = Field(description="作为参照的案例编号")
    notes: list[str] = Field(default_factory=list, description="筛选条件的提示：未知行业、未识别的地区（这时结果为空）")
    results: list[CaseHit] = Field(description="相似案例，最相似的在前（不含参照案例本身）")


class DocumentItem(_Model):
    doc_id: str = Field(description="文档编号（检索结果的 doc、筛选参数 doc 用它或它的前缀）")
    title: str = Field(description="文档标题")
    path: str = Field(description="corpus/ 下的文件名（DELETE /api/documents/{文件名} 用它）")
    format: str = Field(description="格式：pdf、docx、pptx、md、txt")
    pages: int = Field(description="页数（DOCX/MD/TXT 为 1）")
    chunks: int = Field(description="分块数")
    cases: int = Field(description="从这个文档抽取的案例数")
    sha256: str = Field(description="文件内容的 SHA-256")


class DocumentsResponse(_Model):
    """已导入的文档，按索引顺序。"""

    generation: str | None = Field(description="当前索引版本")
    documents: list[DocumentItem] = Field(description="已导入的文档")


class HealthResponse(_Model):
    """服务状态。"""

    status: Literal["ok"] = Field(description="服务正常时为 ok")
    generation: str | None = Field(description="当前索引版本")
    backend: str = Field(description="检索后端：local 或 milvus")


class IngestResponse(_Model):
    """导入结果。"""

    generation: str | None = Field(description="新的索引版本；没有变化时为 null")
    changed: bool = Field(description="索引是否有变化")
    seconds: float = Field(description="用时（秒）")
    files: list[dict] = Field(description="逐个文件的结果（同 kb ingest --json 的每一行）")
    notes: list[str] = Field(description="提示（如已写入 Milvus）")


class UploadResponse(IngestResponse):
    """上传并导入的结果。"""

    saved: str = Field(description="保存到 corpus/ 的文件名（已有内容相同的文件时是那个文件的名字）")
    already_present: bool = Field(description="corpus/ 中已有内容相同的文件（这时没有写入任何文件）")
    replaced: bool = Field(description="替换了 corpus/ 中的同名文件（旧内容不再能检索到）")


class RemoveResponse(IngestResponse):
    """删除并导入的结果。"""

    removed: str = Field(description="从 corpus/ 删除的文件名")
