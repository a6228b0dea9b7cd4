"""``kb serve``: a JSON HTTP API over one :class:`KnowledgeBase` (FastAPI, served by uvicorn).

The API answers with exactly what the CLI prints for ``--json`` (both call
:meth:`KnowledgeBase.search_json` and :meth:`CaseHit.as_dict`), so scripts can switch between
them. It is read-only unless a token is configured (``KB_API_TOKEN``); then ``POST /api/ingest``,
``PUT /api/documents/{name}`` (save or replace that file in corpus/, then ingest) and
``DELETE /api/documents/{name}`` accept ``Authorization: Bearer <token>``; a change refused
because another ingest runs (409) leaves corpus/ as it was. Request bodies and
query strings are size-limited and each client address is rate-limited; every error is JSON
``{"error": "<Chinese message>"}`` (:class:`kb.api_models.ErrorResponse`), and ``/openapi.json``
documents it with the status codes each endpoint can return. ``/docs`` and ``/redoc`` load
Swagger UI and ReDoc from this server (fastapi-offline's bundled copies), never from a CDN.

Several ``kb serve`` processes can run side by side: with the local backend each reads the
same ``indexes/current``; with ``KB_BACKEND=milvus`` and a Milvus server URI they share one
Milvus (see README: 部署).
"""

# No ``from __future__ import annotations`` here: FastAPI reads the endpoint annotations at run time.
import hmac
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .api_models import (
    CasesResponse,
    DocumentsResponse,
    ErrorResponse,
    HealthResponse,
    IngestResponse,
    Mode,
    OptionalKind,
    RemoveResponse,
    SearchResponse,
    SimilarResponse,
    UploadResponse,
)
from .errors import IndexMissing, IngestBusy, KBError
from .knowledge_base import KnowledgeBase
from .records import KIND_CHOICES
from .retrieval import MODES, Filters

MAX_QUERY_CHARS = 500
MAX_TOP_K = 100
_DOC_PAGES = ("/docs", "/redoc")
# The doc pages may load only what this server serves: a script inside a bundle that reaches for
# the internet (ReDoc's Redocly logo) is blocked rather than left to time out offline.
_DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
             "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'")


@dataclass(frozen=True)
class ApiSettings:
    """Limits and access control of the HTTP API (defaults suit one office)."""

    token: str | None = None  # None: read-only (ingest endpoints answer 403)
    max_body_bytes: int = 64 * 1024  # any request except an upload
    max_upload_mb: int = 100
    rate_per_s: float = 50.0  # requests per second per client address (token bucket)
    burst: int = 100
    max_query_chars: int = MAX_QUERY_CHARS
    max_top_k: int = MAX_TOP_K


@dataclass
class _Bucket:
    tokens: float
    stamp: float


@dataclass
class RateLimiter:
    """Token bucket per client address; ``allow`` is thread-safe."""

    rate: float
    burst: int
    buckets: dict[str, _Bucket] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def allow(self, client: str, now: float | None = None) -> bool:
        if self.rate <= 0:
            return True
        now = time.monotonic() if now is None else now
        with self.lock:
            b = self.buckets.get(client)
            if b is None:
                if len(self.buckets) > 10_000:  # forget idle clients rather than grow without bound
                    self.buckets.clear()
                b = self.buckets[client] = _Bucket(float(self.burst), now)
            b.tokens = min(float(self.burst), b.tokens + (now - b.stamp) * self.rate)
            b.stamp = now
            if b.tokens < 1.0:
                return False
            b.tokens -= 1.0
            return True


# What each error status means, for the OpenAPI document (every error body is ErrorResponse).
_STATUS_ZH = {
    400: "参数错误：缺少查询或查询为空、过长，top_k 不是 1–100 的整数，未知的检索模式 mode 或类型 kind，"
         "布尔值不合法，未知的参数名（如把 top_k 写成 topk），参数不是 UTF-8 编码，同一参数给了多次，"
         "请求头 Content-Length 不合法等",
    401: "导入令牌缺失或不正确（请求头 Authorization: Bearer <令牌>）",
    403: "只读模式：服务没有配置导入令牌 KB_API_TOKEN",
    404: "找不到该案例或文件",
    409: "另一个导入任务正在运行（上传或删除的文件没有改动），请等它结束后再试",
    413: "请求体过大（普通请求 64 KB，上传 100 MB）",
    414: "查询字符串过长",
    429: "请求过于频繁（每个客户端地址的令牌桶，响应头 Retry-After）",
    500: "服务器内部错误（详情在服务日志中）",
    503: "还没有索引（请先导入 kb ingest），或检索后端 Milvus 暂时无法使用",
}
# Every request passes the size and rate limits (see ``limits`` below).
_ANY_REQUEST = (400, 413, 414, 429, 500)


def _documented(ok: type, what: str, *statuses: int) -> dict:
    """``responses=`` of an endpoint: its 200 model and each error status it can return."""
    codes = sorted(set(_ANY_REQUEST) | set(statuses))
    return {200: {"model": ok, "description": what},
            **{code: {"model": ErrorResponse, "description": _STATUS_ZH[code]} for code in codes}}


def _enum_message(name: str, value) -> str | None:
    """The error for an unknown ``mode``/``kind`` (the same text as before they became enums)."""
    shown = str(value)
    shown = shown if len(shown) <= 50 else shown[:50] + "…"
    if name == "mode":
        return f"未知的检索模式“{shown}”，可选：{', '.join(MODES)}。"
    if name == "kind":
        return f"未知的类型“{shown}”，可选：{KIND_CHOICES}。"
    return None


def _enum_error(error: dict) -> str | None:
    if error.get("type") not in ("literal_error", "enum"):
        return None
    return _enum_message(str(error.get("loc", ["", ""])[-1]), error.get("input"))


KindParam = Annotated[OptionalKind, Query(
    description="类型：report（报告段落）、enterprise_case（企业案例）、local_experience（地方经验），英文或中文名均可；空为不限")]

_FIELD_ZH = {"q": "查询 q", "top_k": "结果条数 top_k", "mode": "检索模式 mode", "industry": "行业 industry",
             "region": "地区 region", "kind": "类型 kind", "doc": "文档 doc", "problem": "问题 problem",
             "all": "低相关度结果 all", "rebuild": "完全重建 rebuild"}


def _validation_message(errors: list[dict]) -> str:
    parts = []
    for e in errors:
        name = str(e.get("loc", ["", ""])[-1])
        label = _FIELD_ZH.get(name, name)
        kind = e.get("type", "")
        if _enum_error(e):
            parts.append(_enum_error(e).rstrip("。"))
        elif kind == "missing":
            parts.append(f"缺少参数 {label}")
        elif kind.startswith("int") or kind.startswith("greater_than") or kind.startswith("less_than"):
            parts.append(f"参数 {label} 应为 1 到 {MAX_TOP_K} 之间的整数")
        else:
            parts.append(f"参数 {label} 不合法")
    return "；".join(parts) + "。" if parts else "请求参数不合法。"


def _query_string_error(raw_query: bytes, raw_path: bytes | None) -> str | None:
    """Why the request line cannot be read as the API means it, or None.

    Starlette decodes percent-encoded bytes that are not UTF-8 into U+FFFD (a GBK-encoded
    ``q=%C8%CF%D6%A4`` became "��֤" and was searched), and keeps only the last of a repeated
    parameter; both are refused instead of answered for something the client did not ask.
    """
    from urllib.parse import unquote_to_bytes

    if raw_path is not None:
        try:
            unquote_to_bytes(raw_path).decode("utf-8")
        except UnicodeDecodeError:
            return "网址路径（如上传的文件名）不是 UTF-8 编码：请先把文字按 UTF-8 编码，再做百分号编码。"
    seen: dict[str, int] = {}
    for pair in raw_query.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        try:
            key = unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8")
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            label = _FIELD_ZH.get(name.decode("ascii", "replace"), "") or "查询字符串"
            return (f"参数 {label} 不是 UTF-8 编码（可能是 GBK 等其他编码）：请先把文字按 UTF-8 编码，再做百分号编码"
                    "（浏览器、curl --data-urlencode、httpx/requests 的 params= 都会这样做）。")
        seen[key] = seen.get(key, 0) + 1
    repeated = [k for k, n in seen.items() if n > 1]
    if repeated:
        names = "、".join(_FIELD_ZH.get(k, k) for k in repeated)
        return f"参数 {names} 重复出现：每个参数只能给一次。"
    return None


def _accepted_params(route) -> list[str]:
    """The query parameter names an endpoint reads (their aliases: ``all``, not ``include_all``)."""
    names: list[str] = []
    todo = [route.dependant]
    while todo:
        dependant = todo.pop()
        names += [f.alias for f in dependant.query_params if f.alias not in names]
        todo += dependant.dependencies
    return names


def unknown_params(request: Request) -> None:
    """Refuse a query parameter the endpoint does not read (``topk`` for ``top_k``) instead of
    answering as if it were not there: 400 naming it and the accepted ones."""
    route = request.scope.get("route")
    if route is None or not hasattr(route, "dependant"):
        return
    if getattr(route, "path", None) == "/healthz":  # probes may add cache-busting parameters (?_=…)
        return
    accepted = _accepted_params(route)
    unknown = [k for k in dict.fromkeys(request.query_params.keys()) if k not in accepted]
    if not unknown:
        return
    shown = "、".join(f"“{k if len(k) <= 30 else k[:30] + '…'}”" for k in unknown[:5])
    allowed = f"可用的参数：{', '.join(accepted)}" if accepted else "该接口不接受查询参数"
    raise KBError(f"未知的参数 {shown}（{allowed}）。")


def create_app(kb: KnowledgeBase, settings: ApiSettings | None = None) -> FastAPI:
    """The FastAPI application answering for ``kb`` (docs at ``/docs``)."""
    settings = settings or ApiSettings()
    limiter = RateLimiter(settings.rate_per_s, settings.burst)
    ingest_lock = threading.Lock()
    # Swagger UI and ReDoc come from fastapi-offline's bundled files (/static-offline-docs), so the
    # docs work without internet; no validator badge (it would call validator.swagger.io).
    app: FastAPI = FastAPIOffline(
        title="提升行动案例知识库 API", version="1", swagger_ui_parameters={"validatorUrl": None},
        description=("检索段落与可比案例。返回的 JSON 与命令行 `kb search --json`、`kb cases --json` 相同。"
                     "默认只读；配置 KB_API_TOKEN 后可用令牌调用导入接口。"
                     "所有错误都是 `{\"error\": \"中文说明\"}`；参数错误（缺少、为空、不合法、未知的参数名）一律 400。"),
        dependencies=[Depends(unknown_params)])
    base_openapi = app.openapi

    def openapi() -> dict:
        """FastAPI documents a 422 {"detail": [...]} for every endpoint with parameters; the API
        never sends it (parameter errors are 400 ErrorResponse), so it is left out."""
        if app.openapi_schema is None:
            schema = base_openapi()
            for operations in schema.get("paths", {}).values():
                for operation in operations.values():
                    operation.get("responses", {}).pop("422", None)
            for name in ("HTTPValidationError", "ValidationError"):
                schema.get("components", {}).get("schemas", {}).pop(name, None)
        return app.openapi_schema

    app.openapi = openapi

    def error(status: int, message: str, headers: dict | None = None) -> JSONResponse:
        return JSONResponse({"error": message}, status_code=status, headers=headers)

    @app.exception_handler(KBError)
    async def kb_error(_request: Request, exc: KBError):
        from .milvus_backend import MilvusUnavailable

        unavailable = isinstance(exc, (IndexMissing, MilvusUnavailable))
        status = 503 if unavailable else 409 if isinstance(exc, IngestBusy) else 400
        return error(status, str(exc))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        # Anything the library did not foresee: still JSON in Chinese (never a bare text 500);
        # the details go to the server log.
        logging.getLogger("kb.api").error("%s %s failed", request.method, request.url.path, exc_info=exc)
        return error(500, "服务器内部错误，详情已记录在服务日志中。请稍后再试；若一直出现，请联系管理员。")

    @app.exception_handler(RequestValidationError)
    async def bad_params(_request: Request, exc: RequestValidationError):
        # Every parameter error is a 400 with a Chinese message (a missing q and an empty q alike);
        # FastAPI's own 422 {"detail": [...]} is never sent.
        return error(400, _validation_message(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        text = {404: "没有这个接口或资源。", 405: "该接口不支持这种请求方法。"}.get(exc.status_code)
        return error(exc.status_code, text or str(exc.detail))

    @app.middleware("http")
    async def limits(request: Request, call_next):
        client = request.client.host if request.client else "?"
        if not limiter.allow(client):
            return error(429, "请求过于频繁，请稍后再试。", {"Retry-After": "1"})
        upload = request.method == "PUT" and request.url.path.startswith("/api/documents/")
        cap = settings.max_upload_mb * 1024 * 1024 if upload else settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                too_big = int(declared) > cap
            except ValueError:
                return error(400, "请求头 Content-Length 不合法。")
            if too_big:
                return error(413, f"请求体过大（上限 {cap // 1024} KB）。")
        elif request.method in ("POST", "PUT", "PATCH"):
            # No length given (chunked): read at most cap + 1 bytes and refuse beyond that.
            body = bytearray()
            async for part in request.stream():
                body += part
                if len(body) > cap:
                    return error(413, f"请求体过大（上限 {cap // 1024} KB）。")
            request._body = bytes(body)  # starlette reads the cached body later
        if len(str(request.url.query)) > settings.max_query_chars * 12 + 1024:
            return error(414, "查询字符串过长。")
        unreadable = _query_string_error(request.scope.get("query_string", b""), request.scope.get("raw_path"))
        if unreadable:
            return error(400, unreadable)
        response = await call_next(request)
        if request.url.path in _DOC_PAGES:
            response.headers["Content-Security-Policy"] = _DOCS_CSP
        return response

    def check_query(text: str | None, name: str, required: bool) -> str | None:
        text = (text or "").strip() or None
        if required and not text:
            raise KBError(f"缺少参数 {_FIELD_ZH.get(name, name)}（不能为空）。")
        if text and len(text) > settings.max_query_chars:
            raise KBError(f"参数 {_FIELD_ZH.get(name, name)} 过长（{len(text)} 字，上限 {settings.max_query_chars} 字）。")
        return text

    top_k_param = Query(10, ge=1, le=settings.max_top_k, description="返回条数")

    @app.head("/healthz", include_in_schema=False)  # load balancers probe with HEAD
    @app.get("/healthz", summary="存活检查", responses=_documented(HealthResponse, "服务正常", 503))
    def healthz():
        try:
            generation = kb.manifest().get("generation")
        except IndexMissing as exc:
            return error(503, str(exc))
        return {"status": "ok", "generation": generation, "backend": kb.config.backend}

    @app.get("/api/search", summary="检索段落（与 kb search --json 相同）",
             responses=_documented(SearchResponse, "检索结果（与 kb search --json 相同）", 503))
    def search(q: str = Query(..., description="查询（繁体字按简体处理）"), top_k: int = top_k_param,
               mode: Annotated[Mode, Query(description="检索模式")] = "hybrid",
               industry: str | None = Query(None, description="行业（GB/T 4754 大类名称或“家纺”这类说法）"),
               region: str | None = Query(None, description="地区（省级同时匹配下属市县）"),
               kind: KindParam = None,
               doc: str | None = Query(None, description="文档编号或其前缀"),
               include_all: bool = Query(False, alias="all", description="也返回相关度低于阈值的段落（同 kb search --all）")):
        query = check_query(q, "q", True)
        filters = Filters(industry=check_query(industry, "industry", False), region=check_query(region, "region", False),
                          kind=kind, doc=check_query(doc, "doc", False))
        return kb.search_json(query, top_k=top_k, mode=mode, filters=filters, include_all=include_all)

    @app.get("/api/cases", summary="可比案例（每项与 kb cases --json 的一行相同）",
             responses=_documented(CasesResponse, "按匹配度排序的案例", 503))
    def cases(industry: str | None = Query(None, description="行业"), problem: str | None = Query(None, description="问题描述"),
              region: str | None = Query(None, description="地区"), kind: KindParam = None,
              top_k: int | None = Query(None, ge=1, le=settings.max_top_k,
                                        description="返回条数；不给时，给了行业或问题为 10 条，否则列出全部案例（同 kb cases）")):
        industry, region = check_query(industry, "industry", False), check_query(region, "region", False)
        problem = check_query(problem, "problem", False)
        with kb.pinned():
            hits = kb.cases(industry=industry, problem=problem, region=region, top_k=top_k or 10, kind=kind)
            # With no industry or problem the library lists every case; a given top_k still limits it (as the CLI).
            hits = hits[:top_k] if top_k else hits
            notes = kb.filter_notes(industry, region) + kb.industry_notes(industry, hits, region, kind, problem)
        return {"notes": notes, "results": [h.as_dict() for h in hits]}

    @app.get("/api/cases/{case_id}/similar", summary="相似案例（与 kb cases --like 相同）",
             responses=_documented(SimilarResponse, "最相似的其他案例", 404, 503))
    def similar(case_id: str, top_k: int = Query(5, ge=1, le=settings.max_top_k, description="返回条数"),
                industry: str | None = Query(None, description="只要这个行业的案例"),
                region: str | None = Query(None, description="只要这个地区的案例"), kind: KindParam = None):
        check_query(case_id, "case_id", True)
        if kb.case(case_id) is None:
            return error(404, f"找不到案例“{case_id}”。用 /api/cases 查看全部案例编号。")
        industry, region = check_query(industry, "industry", False), check_query(region, "region", False)
        hits = kb.similar_cases(case_id, top_k=top_k, industry=industry, region=region, kind=kind)
        return {"case_id": case_id, "notes": kb.filter_notes(industry, region), "results": [h.as_dict() for h in hits]}

    @app.get("/api/stats", summary="索引统计（与 kb stats --json 相同）",
             responses=_documented(dict, "索引版本、模型、文档/分块/案例数量（与 kb stats --json 相同）", 503))
    def stats():
        return kb.stats()

    @app.get("/api/documents", summary="已导入的文档列表（与 kb stats --json 的 document_list 相同）",
             responses=_documented(DocumentsResponse, "已导入的文档", 503))
    def documents():
        with kb.pinned():
            return {"generation": kb.manifest().get("generation"), "documents": kb.document_list()}

    def authorised(request: Request) -> JSONResponse | None:
        if not settings.token:
            return error(403, "本服务为只读模式：未配置导入令牌（KB_API_TOKEN），不能导入或上传。")
        header = request.headers.get("authorization", "")
        given = header[7:] if header.lower().startswith("bearer ") else ""
        if not given or not hmac.compare_digest(given.encode(), settings.token.encode()):
            return error(401, "导入令牌缺失或不正确（请求头 Authorization: Bearer <令牌>）。",
                         {"WWW-Authenticate": "Bearer"})
        return None

    def run_ingest(rebuild: bool = False, held: bool = False) -> dict:
        """Ingest under ``ingest_lock`` (``held``: the caller already holds it)."""
        if not held and not ingest_lock.acquire(blocking=False):
            raise IngestBusy("另一个导入任务正在运行，请等它结束后再试。")
        try:
            report = kb.ingest(rebuild=rebuild)
        finally:
            if not held:
                ingest_lock.release()
        return {"generation": report.generation, "changed": report.changed, "seconds": round(report.seconds, 3),
                "files": [f.__dict__ for f in report.files], "notes": report.notes}

    def busy_elsewhere() -> bool:
        """Whether another process's ``kb ingest`` holds the index (checked before a file is saved)."""
        from . import store

        try:
            with store.ingest_lock(kb.config.index_dir):
                return False
        except IngestBusy:
            return True

    def change_corpus(change, undo) -> dict:
        """Apply ``change`` to corpus/ and ingest; when the ingest is refused as busy, ``undo`` it:
        a refused upload or removal leaves corpus/ as it was (the client retries later)."""
        if not ingest_lock.acquire(blocking=False):
            raise IngestBusy("另一个导入任务正在运行，文件没有改动；请等它结束后再试。")
        try:
            if busy_elsewhere():
                raise IngestBusy("另一个导入任务正在运行（索引已加锁），文件没有改动；请等它结束后再试。")
            done = change()
            try:
                result = run_ingest(held=True)
            except IngestBusy:  # another process started between the check and the ingest
                undo()
                raise IngestBusy("另一个导入任务正在运行（索引已加锁），文件没有改动；请等它结束后再试。") from None
            return done | result
        finally:
            ingest_lock.release()

    @app.post("/api/ingest", summary="增量导入 corpus/（需要令牌）",
              responses=_documented(IngestResponse, "导入结果", 401, 403, 409, 503))
    def ingest(request: Request, rebuild: bool = False):
        denied = authorised(request)
        return denied or run_ingest(rebuild)

    @app.put("/api/documents/{name}", summary="上传一个文件到 corpus/ 并导入；同名文件被替换（需要令牌）",
             responses=_documented(UploadResponse, "保存并导入的结果", 400, 401, 403, 409, 503))
    async def upload(name: str, request: Request):
        denied = authorised(request)
        if denied:
            return denied
        from .ui_helpers import check_upload, find_same_content, replace_upload, restore_upload, safe_filename

        data = await request.body()
        check = check_upload(name, data, settings.max_upload_mb)
        if not check.ok:
            return error(400, check.reason)
        corpus = kb.config.corpus_dir
        target = corpus / safe_filename(name)
        state: dict = {}

        def change() -> dict:
            if target.is_file():  # PUT replaces the document of that name (unchanged bytes: nothing to do)
                if target.read_bytes() == data:
                    return {"saved": target.name, "already_present": True, "replaced": False}
            else:
                same = find_same_content(corpus, data)
                if same is not None:  # the same file under another name: not saved twice
                    return {"saved": same.name, "already_present": True, "replaced": False}
            path, previous = replace_upload(corpus, name, data)
            state["undo"] = (path, previous)
            return {"saved": path.name, "already_present": False, "replaced": previous is not None}

        def undo() -> None:
            if "undo" in state:
                restore_upload(*state["undo"])

        return await run_in_threadpool(change_corpus, change, undo)

    @app.delete("/api/documents/{name}", summary="从 corpus/ 删除一个文件并导入（需要令牌）",
                responses=_documented(RemoveResponse, "删除并导入的结果", 401, 403, 404, 409, 503))
    def remove(name: str, request: Request):
        denied = authorised(request)
        if denied:
            return denied
        from .ui_helpers import restore_upload, safe_filename

        root = kb.config.corpus_dir.resolve()
        target = (root / safe_filename(name)).resolve()
        if target.parent != root or not target.is_file():
            return error(404, f"corpus/ 中没有文件“{safe_filename(name)}”（只能删除 corpus/ 下一层的文件，文件名与上传时保存的相同）。")
        state: dict = {}

        def change() -> dict:
            state["previous"] = target.read_bytes()
            target.unlink()
            return {"removed": target.name}

        return change_corpus(change, lambda: restore_upload(target, state["previous"]) if "previous" in state else None)

    return app


def serve(kb: KnowledgeBase, host: str = "127.0.0.1", port: int = 8000, settings: ApiSettings | None = None,
          log_level: str = "warning") -> None:
    """Run the API with uvicorn until interrupted."""
    import uvicorn

    # h11 answers a request line or headers over its 64 KB buffer with a plain-text 400 before the
    # app sees it; with 1 MB the app's own limits answer in JSON (414 for a query string over 16 KB).
    uvicorn.run(create_app(kb, settings), host=host, port=port, log_level=log_level, access_log=False,
                h11_max_incomplete_event_size=1024 * 1024)
