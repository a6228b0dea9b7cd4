"""The HTTP API against a real ``kb serve`` (uvicorn) on a loopback port.

The index is built from the shipped report with the hash test embedder (no model load), so
the answers are compared with the library's own for the same index.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from kb import KBConfig, KnowledgeBase

REPO = Path(__file__).resolve().parent.parent
TOKEN = "test-token-synthetic-123"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, port: int, *extra: str, token: str | None = None) -> subprocess.Popen:
    env = dict(os.environ, KB_HOME=str(home), KB_MODEL="hash-bigram-64", HF_HUB_OFFLINE="1", KB_BACKEND="local")
    env.pop("KB_API_TOKEN", None)
    if token:
        env["KB_API_TOKEN"] = token
    proc = subprocess.Popen([sys.executable, "-m", "kb", "serve", "--port", str(port), *extra], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(proc.stderr.read().decode())
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code in (200, 503):
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("api-home")
    shutil.copytree(REPO / "corpus", home / "corpus")
    KnowledgeBase(KBConfig(home=home, model="hash-bigram-64", backend="local")).ingest()
    return home


@pytest.fixture(scope="module")
def server(home):
    port = free_port()
    proc = start_server(home, port, "--rate", "0")
    yield f"http://127.0.0.1:{port}"
    stop(proc)


@pytest.fixture(scope="module")
def local_kb(home) -> KnowledgeBase:
    return KnowledgeBase(KBConfig(home=home, model="hash-bigram-64", backend="local"))


def test_search_matches_cli_json(server, home):
    r = httpx.get(f"{server}/api/search", params={"q": "认证贷", "top_k": 3, "mode": "hybrid"})
    assert r.status_code == 200
    env = dict(os.environ, KB_HOME=str(home), KB_MODEL="hash-bigram-64", KB_BACKEND="local")
    cli = subprocess.run([sys.executable, "-m", "kb", "search", "认证贷", "--top-k", "3", "--json"], env=env,
                         capture_output=True, text=True, check=True)
    assert r.json() == json.loads(cli.stdout)
    assert r.json()["results"] and r.json()["answer"]  # below the relevance floor: left out


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_search_modes_and_filters(server, local_kb, mode):
    from kb.retrieval import Filters

    params = {"q": "家纺企业产品缺陷率高", "top_k": 5, "mode": mode, "region": "江苏"}
    got = httpx.get(f"{server}/api/search", params=params).json()
    want = local_kb.search_json("家纺企业产品缺陷率高", top_k=5, mode=mode, filters=Filters(region="江苏"))
    assert got == want and got["results"]
    assert all("江苏" in (h["region"] or "") or "江苏" in h["text"] for h in got["results"])


def test_cases_similar_stats_health(server, local_kb):
    got = httpx.get(f"{server}/api/cases", params={"industry": "纺织业", "problem": "产品缺陷率高", "top_k": 3}).json()
    want = [h.as_dict() for h in local_kb.cases(industry="纺织业", problem="产品缺陷率高", top_k=3)]
    assert got["results"] == want and want
    case_id = want[0]["case_id"]
    sim = httpx.get(f"{server}/api/cases/{case_id}/similar", params={"top_k": 2}).json()
    assert sim["results"] == [h.as_dict() for h in local_kb.similar_cases(case_id, top_k=2)]
    assert got["notes"] == [] and sim["notes"] == []
    mars = httpx.get(f"{server}/api/cases", params={"industry": "火星业"}).json()
    assert mars["results"] == [] and any("未知行业“火星业”" in n for n in mars["notes"])  # says why it is empty
    from kb.knowledge_base import OFF_TOPIC_CASES_NOTE

    weather = httpx.get(f"{server}/api/cases", params={"problem": "今天天气怎么样"}).json()
    assert weather == {"notes": [OFF_TOPIC_CASES_NOTE], "results": []}
    stats = httpx.get(f"{server}/api/stats").json()
    assert stats["chunks"] == local_kb.stats()["chunks"]
    docs = httpx.get(f"{server}/api/documents").json()
    assert docs["generation"] == local_kb.manifest()["generation"]
    assert docs["documents"] == stats["document_list"] and len(docs["documents"]) == stats["documents"]
    assert {d["doc_id"] for d in docs["documents"]} == {d.doc_id for d in local_kb.documents()}
    assert sum(d["chunks"] for d in docs["documents"]) == stats["chunks"]
    assert all(d["path"] and d["title"] and len(d["sha256"]) == 64 for d in docs["documents"])
    health = httpx.get(f"{server}/healthz").json()
    assert health["status"] == "ok" and health["generation"] == local_kb.manifest()["generation"]
    assert httpx.get(f"{server}/docs").status_code == 200
    assert "/api/search" in httpx.get(f"{server}/openapi.json").json()["paths"]


@pytest.mark.parametrize("params, status, words", [
    ({}, 400, "缺少参数 查询 q"),
    ({"q": "  "}, 400, "缺少参数 查询 q（不能为空）"),
    ({"q": "认证", "top_k": "abc"}, 400, "top_k"),
    ({"q": "认证", "top_k": 0}, 400, "top_k"),
    ({"q": "认证", "top_k": 100000}, 400, "top_k"),
    ({"q": "认证", "all": "maybe"}, 400, "all"),
    ({"q": "认证", "mode": "magic"}, 400, "未知的检索模式"),
    ({"q": "认" * 501}, 400, "过长"),
    ({"q": "认证", "kind": "novel"}, 400, "未知的类型"),
])
def test_bad_parameters_get_chinese_json(server, params, status, words):
    r = httpx.get(f"{server}/api/search", params=params)
    assert r.status_code == status
    assert words in r.json()["error"]


def test_missing_and_empty_query_give_the_same_status_and_shape(server):
    """One status for every parameter error: a missing q was a 422 while an empty q was a 400."""
    missing = httpx.get(f"{server}/api/search")
    empty = httpx.get(f"{server}/api/search", params={"q": ""})
    assert missing.status_code == empty.status_code == 400
    assert missing.json().keys() == empty.json().keys() == {"error"}
    assert "缺少参数 查询 q" in missing.json()["error"] and "缺少参数 查询 q" in empty.json()["error"]


@pytest.mark.parametrize("path, params, wrong, accepted", [
    ("/api/search", {"q": "认证贷", "topk": 3}, "topk", "top_k"),
    ("/api/search", {"query": "认证贷"}, "query", "q"),
    ("/api/cases", {"industry": "纺织业", "limit": 2}, "limit", "top_k"),
    ("/api/cases/nope/similar", {"topk": 2}, "topk", "top_k"),
])
def test_an_unknown_parameter_is_refused_naming_it_and_the_accepted_ones(server, path, params, wrong, accepted):
    r = httpx.get(f"{server}{path}", params=params)
    assert r.status_code == 400, r.text
    message = r.json()["error"]
    assert r.json().keys() == {"error"}
    assert f"未知的参数 “{wrong}”" in message and accepted in message.split("可用的参数：")[1]


def test_an_endpoint_without_parameters_refuses_any(server):
    r = httpx.get(f"{server}/api/stats", params={"verbose": 1})
    assert r.status_code == 400 and "不接受查询参数" in r.json()["error"]
    # except the health check: probes add cache-busting parameters
    assert httpx.get(f"{server}/healthz", params={"_": 1}).status_code in (200, 503)
    # the documented parameter names, aliases included, still pass
    assert httpx.get(f"{server}/api/search", params={"q": "认证贷", "all": "true", "top_k": 1}).status_code == 200


def test_unknown_case_and_path(server):
    r = httpx.get(f"{server}/api/cases/nope/similar")
    assert r.status_code == 404 and "找不到案例" in r.json()["error"]
    r = httpx.get(f"{server}/api/nothing")
    assert r.status_code == 404 and "没有这个接口" in r.json()["error"]


def test_read_only_by_default(server):
    r = httpx.post(f"{server}/api/ingest")
    assert r.status_code == 403 and "只读" in r.json()["error"]
    r = httpx.put(f"{server}/api/documents/a.txt", content="合成测试文本。".encode())
    assert r.status_code == 403


def test_oversized_body_refused(server):
    r = httpx.post(f"{server}/api/ingest", content=b"x" * (200 * 1024))
    assert r.status_code == 413 and "过大" in r.json()["error"]

    def chunked():
        for _ in range(100):
            yield b"y" * 4096

    r = httpx.post(f"{server}/api/ingest", content=chunked())
    assert r.status_code == 413


def test_concurrent_clients_no_errors(server):
    """Bounded load on the loopback port: every request answered correctly (no timing asserted)."""
    queries = ["认证贷", "家纺企业产品缺陷率高", "黄芪", "认证机构帮扶"]

    def client(n: int) -> list[int]:
        with httpx.Client(base_url=server, timeout=30) as c:
            return [c.get("/api/search", params={"q": queries[(n + i) % 4], "mode": "bm25"}).status_code
                    for i in range(15)]

    with ThreadPoolExecutor(8) as pool:
        codes = [c for part in pool.map(client, range(8)) for c in part]
    assert codes == [200] * 120


def test_token_gated_ingest_and_rate_limit(home, tmp_path):
    from kb.api_models import IngestResponse, UploadResponse

    work = tmp_path / "home"
    shutil.copytree(home / "corpus", work / "corpus")
    port = free_port()
    proc = start_server(work, port, "--rate", "5", "--lazy", token=TOKEN)
    base = f"http://127.0.0.1:{port}"
    try:
        assert httpx.get(f"{base}/healthz").status_code == 503  # no index yet
        r = httpx.post(f"{base}/api/ingest", headers={"Authorization": "Bearer wrong"})
        assert r.status_code == 401 and "令牌" in r.json()["error"]
        auth = {"Authorization": f"Bearer {TOKEN}"}
        r = httpx.post(f"{base}/api/ingest", headers=auth, timeout=120)
        assert r.status_code == 200 and r.json()["changed"] and r.json()["generation"]
        IngestResponse.model_validate(r.json())  # the documented shape, exactly
        doc = "合成测试文档（虚构内容）\n\n一、工作举措\n\n江苏某合成测试县推行“合成测试防错法”，帮扶企业十家。\n".encode()
        # sent chunked (no Content-Length): the size check reads the stream, the endpoint still gets it whole
        r = httpx.put(f"{base}/api/documents/synthetic.txt", headers=auth, content=iter([doc[:20], doc[20:]]),
                      timeout=120)
        assert r.status_code == 200, r.text
        UploadResponse.model_validate(r.json())
        assert any(f["status"] == "indexed" for f in r.json()["files"])
        assert (work / "corpus" / r.json()["saved"]).read_bytes() == doc
        r = httpx.put(f"{base}/api/documents/fake.pdf", headers=auth, content=b"not a pdf at all")
        assert r.status_code == 400 and "PDF" in r.json()["error"]
        time.sleep(2.5)
        codes = [httpx.get(f"{base}/healthz").status_code for _ in range(30)]
        assert 429 in codes and codes[0] == 200
        r = httpx.get(f"{base}/healthz")
        if r.status_code == 429:
            assert "过于频繁" in r.json()["error"]
    finally:
        stop(proc)


def test_search_all_keeps_passages_below_the_floor(server, local_kb):
    params = {"q": "医保异地就医怎么备案", "top_k": 5, "mode": "hybrid"}
    floored = httpx.get(f"{server}/api/search", params=params).json()
    everything = httpx.get(f"{server}/api/search", params={**params, "all": "true"}).json()
    assert floored == local_kb.search_json(params["q"], top_k=5)
    assert everything == local_kb.search_json(params["q"], top_k=5, include_all=True)
    assert len(everything["results"]) > len(floored["results"])


def test_traditional_query_answers_like_simplified(server):
    trad = httpx.get(f"{server}/api/search", params={"q": "認證貸", "top_k": 3}).json()
    simp = httpx.get(f"{server}/api/search", params={"q": "认证贷", "top_k": 3}).json()
    assert trad["query"] == "認證貸" and trad["results"]
    assert {k: v for k, v in trad.items() if k != "query"} == {k: v for k, v in simp.items() if k != "query"}


def test_empty_or_padded_kind_still_accepted(server):
    """kind became an enum; ``kind=`` still means no filter and spaces around a value are ignored."""
    plain = httpx.get(f"{server}/api/search", params={"q": "认证贷", "top_k": 3}).json()
    assert httpx.get(f"{server}/api/search", params={"q": "认证贷", "top_k": 3, "kind": ""}).json() == plain
    padded = httpx.get(f"{server}/api/search", params={"q": "认证贷", "top_k": 3, "kind": " report "})
    assert padded.status_code == 200 and all(h["kind"] == "report" for h in padded.json()["results"])
    r = httpx.get(f"{server}/api/cases", params={"kind": "novel"})
    assert r.status_code == 400 and "未知的类型“novel”" in r.json()["error"]
    r = httpx.get(f"{server}/api/search", params={"q": "认证", "mode": "magic", "kind": "novel"})
    assert r.status_code == 400 and "未知的检索模式“magic”" in r.json()["error"] and "未知的类型" in r.json()["error"]
    r = httpx.get(f"{server}/api/search", params={"mode": "magic"})  # with another parameter error: one message
    assert r.status_code == 400 and "缺少参数 查询 q" in r.json()["error"] and "未知的检索模式" in r.json()["error"]


# --- the OpenAPI document says what the API does ------------------------------------------------

def _ref(response: dict) -> str:
    return response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]


def test_openapi_documents_the_real_errors_enums_and_models(server):
    from kb.records import KINDS
    from kb.retrieval import MODES

    doc = httpx.get(f"{server}/openapi.json").json()
    schemas = doc["components"]["schemas"]
    assert schemas["ErrorResponse"]["properties"].keys() == {"error"} and schemas["ErrorResponse"]["required"] == ["error"]
    assert "HTTPValidationError" not in schemas  # FastAPI's {"detail": [...]} is not what the API sends
    search = doc["paths"]["/api/search"]["get"]
    assert _ref(search["responses"]["400"]) == "ErrorResponse"
    assert "ValidationError" not in schemas  # no 422 is ever sent, so none is documented
    assert _ref(search["responses"]["200"]) == "SearchResponse"
    params = {p["name"]: p["schema"] for p in search["parameters"]}
    assert params["mode"]["enum"] == list(MODES) == ["hybrid", "bm25", "dense"] and params["mode"]["default"] == "hybrid"
    assert [s.get("enum") for s in params["kind"]["anyOf"] if "enum" in s] == [list(KINDS)]
    expected = {  # the status codes each endpoint can answer with (the limits and 500 apply to every request)
        ("/api/search", "get"): {200, 400, 413, 414, 429, 500, 503},
        ("/api/cases", "get"): {200, 400, 413, 414, 429, 500, 503},
        ("/api/cases/{case_id}/similar", "get"): {200, 400, 404, 413, 414, 429, 500, 503},
        ("/api/stats", "get"): {200, 400, 413, 414, 429, 500, 503},
        ("/api/documents", "get"): {200, 400, 413, 414, 429, 500, 503},
        ("/healthz", "get"): {200, 400, 413, 414, 429, 500, 503},
        ("/api/ingest", "post"): {200, 400, 401, 403, 409, 413, 414, 429, 500, 503},
        ("/api/documents/{name}", "put"): {200, 400, 401, 403, 409, 413, 414, 429, 500, 503},
        ("/api/documents/{name}", "delete"): {200, 400, 401, 403, 404, 409, 413, 414, 429, 500, 503},
    }
    assert {(p, m) for p, ops in doc["paths"].items() for m in ops} == set(expected)
    for (path, method), codes in expected.items():
        responses = doc["paths"][path][method]["responses"]
        assert {int(c) for c in responses} == codes, path
        assert all(_ref(r) == "ErrorResponse" for c, r in responses.items() if int(c) >= 400), path
        assert all(r["description"] for r in responses.values())
        assert responses["200"]["content"]["application/json"]["schema"] != {}, path
    for name in ("SearchResponse", "CasesResponse", "SimilarResponse", "HealthResponse", "DocumentsResponse"):
        assert schemas[name]["properties"], name
    assert schemas["SearchHit"]["properties"]["kind"]["enum"] == list(KINDS)


def test_answers_match_their_documented_models(server, local_kb):
    """The models forbid extra keys and require every field: each real answer must fit exactly."""
    from kb.api_models import (
        CasesResponse,
        DocumentsResponse,
        ErrorResponse,
        HealthResponse,
        SearchResponse,
        SimilarResponse,
    )

    for mode in ("hybrid", "bm25", "dense"):
        got = httpx.get(f"{server}/api/search", params={"q": "家纺企业产品缺陷率高", "mode": mode, "top_k": 5}).json()
        assert got["results"]
        SearchResponse.model_validate(got)
    with_answer = httpx.get(f"{server}/api/search", params={"q": "认证贷", "top_k": 3}).json()
    assert with_answer["answer"]["sentences"]
    SearchResponse.model_validate(with_answer)
    cases = httpx.get(f"{server}/api/cases", params={"industry": "纺织业", "problem": "产品缺陷率高"}).json()
    assert cases["results"] and any(c["outcomes"] for c in cases["results"])
    CasesResponse.model_validate(cases)
    case_id = cases["results"][0]["case_id"]
    SimilarResponse.model_validate(httpx.get(f"{server}/api/cases/{case_id}/similar").json())
    HealthResponse.model_validate(httpx.get(f"{server}/healthz").json())
    assert DocumentsResponse.model_validate(httpx.get(f"{server}/api/documents").json()).documents
    ErrorResponse.model_validate(httpx.get(f"{server}/api/search", params={"q": " "}).json())


# --- /docs and /redoc work offline ---------------------------------------------------------------

def _assets(html: str) -> list[str]:
    import re

    return re.findall(r"""(?:src|href|spec-url)\s*=\s*["']([^"']+)["']""", html) + re.findall(r"""url:\s*'([^']+)'""", html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_doc_pages_load_everything_from_this_server(server, page):
    r = httpx.get(f"{server}{page}")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    html = r.text
    for external in ("http://", "https://", "//cdn", "jsdelivr", "googleapis", "unpkg"):
        assert external not in html, external
    assets = _assets(html)
    assert any(a.endswith(".js") for a in assets) and "/openapi.json" in assets
    for url in assets:
        assert url.startswith("/") and not url.startswith("//"), url
        got = httpx.get(f"{server}{url}")
        assert got.status_code == 200 and len(got.content) > 1000, url
    assert "default-src 'self'" in r.headers["content-security-policy"]
    if page == "/docs":
        assert '"validatorUrl": null' in html  # no badge fetched from validator.swagger.io


@pytest.mark.slow
def test_doc_pages_render_with_the_network_cut_off(server):
    """Headless Chromium with every request outside this server refused: both pages still render."""
    chromium = Path("/usr/bin/chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if sync_playwright is None or not chromium.exists():
        message = "需要 /usr/bin/chromium 与 playwright（make browser、make install 会安装；KB_ALLOW_SKIP=1 时跳过）"
        if os.environ.get("KB_ALLOW_SKIP") == "1":
            pytest.skip(message)
        pytest.fail(message, pytrace=False)
    outside: list[str] = []

    def only_local(route):
        if route.request.url.startswith(server):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--headless", "--disable-gpu"])
        try:
            context = browser.new_context()
            context.route("**/*", only_local)
            page = context.new_page()
            page.goto(f"{server}/docs")
            page.wait_for_selector(".opblock", timeout=60_000)
            assert page.locator(".opblock").count() == 9 and "/api/search" in page.content()  # 9 operations
            page.goto(f"{server}/redoc")
            page.wait_for_selector("[data-section-id]", timeout=60_000)
            assert "检索段落" in page.inner_text("body") and "未知的检索模式" in page.content()
        finally:
            browser.close()
    assert outside == []


# --- the README's curl examples work as written ------------------------------------------------

@pytest.mark.slow  # needs curl, which `make browser` installs with Chromium
def test_readme_curl_examples_work(home, tmp_path):
    """Every ``curl`` line of the README, run by the real curl against ``kb serve`` (port replaced;
    a token set so the import examples run too). Chinese written raw into a URL would get 400."""
    import re
    import shlex

    import pdfgen

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = [line.strip() for line in readme.splitlines() if line.strip().startswith("curl ")]
    assert len(commands) >= 5 and any("--data-urlencode" in c for c in commands)
    curl = shutil.which("curl")
    if curl is None:
        if os.environ.get("KB_ALLOW_SKIP") == "1":
            pytest.skip("需要 curl")
        pytest.fail("需要 curl 才能检查 README 的示例（make browser 会安装；KB_ALLOW_SKIP=1 时跳过）", pytrace=False)
    work = tmp_path / "home"
    shutil.copytree(home / "corpus", work / "corpus")
    KnowledgeBase(KBConfig(home=work, model="hash-bigram-64", backend="local")).ingest()
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    for name in {m for c in commands for m in re.findall(r"@(\S+)", c)}:
        assert name.endswith(".pdf"), name  # the uploaded example file is a PDF built for the test
        shutil.copy(pdfgen.write_report_pdf(tmp_path), cwd / name)
    port = free_port()
    proc = start_server(work, port, "--rate", "0", token=TOKEN)
    try:
        for command in commands:
            assert "127.0.0.1:8000" in command
            local = command.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
            args = shlex.split(local.replace("$KB_API_TOKEN", TOKEN))
            done = subprocess.run([curl, "-sS", "--fail-with-body", "--max-time", "120", *args[1:]], cwd=cwd,
                                  capture_output=True, text=True)
            assert done.returncode == 0, (command, done.stdout, done.stderr)
            body = json.loads(done.stdout)
            assert "error" not in body, command
            if "/api/search" in command or "/api/cases" in command:
                assert body["results"], command
        raw = subprocess.run([curl, "-s", "-o", "/dev/null", "-w", "%{http_code}",
                              f"http://127.0.0.1:{port}/api/search?q=认证贷"], capture_output=True, text=True)
        assert raw.stdout == "400"  # why the README encodes: raw UTF-8 in the request line is refused
    finally:
        stop(proc)


def test_uploads_while_an_import_runs_get_409_and_are_not_saved(home, tmp_path):
    """A fuzzer's find: an upload during another import got 400 (as if the input were bad) and
    was saved anyway, so the retry said already_present. It is 409 now and nothing is saved; an
    upload that could never be indexed is 400; a very long Chinese name is no 500."""
    import threading

    from fastapi.testclient import TestClient

    from kb.api import ApiSettings, create_app

    work = tmp_path / "home"
    shutil.copytree(home, work, symlinks=True)
    kb = KnowledgeBase(KBConfig(home=work, model="hash-bigram-64", backend="local"))
    gate, release = threading.Event(), threading.Event()
    real_ingest = kb.ingest

    def slow_ingest(*args, **kwargs):
        gate.set()
        release.wait(30)
        return real_ingest(*args, **kwargs)

    kb.ingest = slow_ingest
    client = TestClient(create_app(kb, ApiSettings(token=TOKEN, rate_per_s=0)))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    body = "合成测试上传：某合成企业导入质量管理体系后返工率下降（本文件为测试用合成材料）。".encode()
    running = threading.Thread(target=lambda: client.post("/api/ingest", headers=auth))
    running.start()
    assert gate.wait(10)
    busy = client.put("/api/documents/合成上传.txt", content=body, headers=auth)
    release.set()
    running.join(30)
    assert busy.status_code == 409 and "另一个导入任务正在运行" in busy.json()["error"]
    assert not (work / "corpus" / "合成上传.txt").exists()
    kb.ingest = real_ingest
    ok = client.put("/api/documents/合成上传.txt", content=body, headers=auth)
    assert ok.status_code == 200 and ok.json()["saved"] == "合成上传.txt" and not ok.json()["already_present"]
    for name in ("..txt", "~$lock.txt"):
        refused = client.put(f"/api/documents/{name}", content=body, headers=auth)
        assert refused.status_code == 400 and refused.json()["error"], name
    long_name = "关于印发" + "长" * 82 + ".txt"
    saved = client.put(f"/api/documents/{long_name}", content=body + b"2", headers=auth)
    assert saved.status_code == 200 and len(saved.json()["saved"].encode()) <= 255


def test_head_healthz_and_a_huge_query_string_get_proper_answers(server):
    """HEAD /healthz was 405; a query string over ~128 KB got uvicorn's plain-text 400 (a fuzzer's
    finds). Now 200, and the app's own JSON 414."""
    from urllib.parse import quote, urlsplit

    assert httpx.head(f"{server}/healthz", timeout=30).status_code == 200
    url = urlsplit(server)
    target = "/api/search?q=" + quote("认证" * 12_000)  # about 216 KB (httpx refuses such URLs itself)
    with socket.create_connection((url.hostname, url.port), timeout=60) as sock:
        sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {url.hostname}\r\nConnection: close\r\n\r\n".encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 414") and b"application/json" in head.lower(), head[:200]
    assert json.loads(body)["error"]


def test_cases_carry_the_industry_note_and_take_chinese_kinds(server, local_kb):
    """/api/cases?industry=医药制造业 listed other trades with notes: [] while kb cases said why;
    kind=地方经验 was a 400."""
    got = httpx.get(f"{server}/api/cases", params={"industry": "医药制造业", "top_k": 3}).json()
    hits = local_kb.cases(industry="医药制造业", top_k=3)
    assert got["results"] == [h.as_dict() for h in hits]
    assert got["notes"] == local_kb.industry_notes("医药制造业", hits)
    if hits and not any("医药制造业" in h.case.all_industries for h in hits):
        assert got["notes"] and "医药制造业" in got["notes"][0]
    by_name = httpx.get(f"{server}/api/cases", params={"kind": "地方经验"})
    assert by_name.status_code == 200
    assert by_name.json() == httpx.get(f"{server}/api/cases", params={"kind": "local_experience"}).json()
    r = httpx.get(f"{server}/api/cases", params={"kind": "小说"})
    assert r.status_code == 400 and "地方经验" in r.json()["error"]


def test_unexpected_failures_are_chinese_json_never_a_bare_500(home):
    """A search that failed inside Milvus (Invalid sparse row: NaN or Inf) answered with
    starlette's plain-text "Internal Server Error". Every failure is JSON in Chinese now: the
    backend being unavailable is 503, anything unforeseen 500 (details in the server log)."""
    from fastapi.testclient import TestClient

    from kb.api import create_app
    from kb.milvus_backend import MilvusUnavailable

    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64", backend="local"))

    def broken(*_args, **_kwargs):
        raise RuntimeError("Invalid sparse row: NaN or Inf value")

    def unavailable(*_args, **_kwargs):
        raise MilvusUnavailable("Milvus（x.db）检索失败，详情见服务日志。")

    kb.search_json, kb.cases = broken, unavailable
    client = TestClient(create_app(kb), raise_server_exceptions=False)
    r = client.get("/api/search", params={"q": "认证贷"})
    assert r.status_code == 500 and r.headers["content-type"] == "application/json"
    assert "服务器内部错误" in r.json()["error"] and "NaN" not in r.text
    r = client.get("/api/cases")
    assert r.status_code == 503 and "检索失败" in r.json()["error"]


def test_cases_top_k_limits_even_without_industry_or_problem(server, local_kb):
    """top_k=2&region=江苏 returned every case of 江苏 (13), kind=enterprise_case&top_k=2 all 52:
    the library lists every case when there is no industry or problem; the API cuts like kb cases."""
    everything = [h.as_dict() for h in local_kb.cases(top_k=10)]
    assert len(everything) > 2
    for params in ({"top_k": 2}, {"top_k": 2, "region": "江苏"}, {"top_k": 2, "kind": "enterprise_case"}):
        got = httpx.get(f"{server}/api/cases", params=params).json()["results"]
        want = [h.as_dict() for h in local_kb.cases(region=params.get("region"), kind=params.get("kind"), top_k=2)][:2]
        assert got == want and len(got) <= 2, params
    assert httpx.get(f"{server}/api/cases").json()["results"] == everything  # no top_k: all of them, as before


@pytest.mark.parametrize("target, words", [
    ("/api/search?q=%C8%CF%D6%A4%B4%FB", "不是 UTF-8 编码"),  # 认证贷 in GBK
    ("/api/search?q=%E8%AE%A4%E8%AF%81&region=%BD%AD%CB%D5", "地区 region 不是 UTF-8"),  # 江苏 in GBK
    ("/api/cases?problem=%C8%CF", "不是 UTF-8"),
    ("/api/search?q=%E8%AE%A4%E8%AF%81&q=%E8%B4%B7", "查询 q 重复出现"),
    ("/api/cases?top_k=2&top_k=3", "top_k 重复出现"),
    ("/api/search?q=abc&mode=bm25&mode=dense", "mode 重复出现"),
])
def test_non_utf8_and_repeated_parameters_are_refused(server, target, words):
    """A GBK-encoded query was searched as "��֤��" (200), and a repeated q silently became the last."""
    r = httpx.get(server + target)
    assert r.status_code == 400 and r.headers["content-type"] == "application/json"
    assert words in r.json()["error"]


def test_non_utf8_upload_name_is_refused(home):
    from fastapi.testclient import TestClient

    from kb.api import ApiSettings, create_app

    kb = KnowledgeBase(KBConfig(home=home, model="hash-bigram-64", backend="local"))
    client = TestClient(create_app(kb, ApiSettings(token=TOKEN, rate_per_s=0)))
    r = client.put("/api/documents/%B1%A8%B8%E6.txt", content="合成测试".encode(),
                   headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 400 and "UTF-8" in r.json()["error"]
    assert not list((home / "corpus").glob("*.txt.*")) and not any("\ufffd" in p.name for p in (home / "corpus").iterdir())


def test_every_documented_field_and_model_is_described_in_chinese(server):
    """Outcome.change/approx/unit/before/after and CaseHit.doc/problem/score had no description,
    SearchResponse/CaseHit/ErrorResponse showed English docstrings, printed_page_end reused
    printed_page's text."""
    import re

    schemas = httpx.get(f"{server}/openapi.json").json()["components"]["schemas"]
    for name in ("SearchResponse", "SearchHit", "CaseHit", "Outcome", "Region", "ErrorResponse", "CasesResponse",
                 "SimilarResponse", "HealthResponse", "IngestResponse", "UploadResponse"):
        model = schemas[name]
        assert re.search(r"[\u4e00-\u9fff]", model.get("description", "")), name
        for field, spec in model["properties"].items():
            assert re.search(r"[\u4e00-\u9fff]", spec.get("description", "")), (name, field)
    hit = schemas["SearchHit"]["properties"]
    assert hit["printed_page_end"]["description"] != hit["printed_page"]["description"]
    assert "page_end" in hit["printed_page_end"]["description"]
    change = schemas["Outcome"]["properties"]["change"]["description"]
    assert "unit" in change and "after − before" in change and "-8" in change


def test_put_replaces_a_document_delete_removes_it_and_busy_changes_nothing(home, tmp_path):
    """A 409 (another process's kb ingest holds the index) still saved the upload; a second PUT
    of a name saved "name (2).md" and the old text stayed searchable. PUT now replaces the
    document of that name, DELETE removes one, and a refused change leaves corpus/ as it was."""
    from fastapi.testclient import TestClient

    from kb import store
    from kb.api import ApiSettings, create_app
    from kb.errors import IngestBusy

    work = tmp_path / "home"
    shutil.copytree(home, work, symlinks=True)
    kb = KnowledgeBase(KBConfig(home=work, model="hash-bigram-64", backend="local"))
    client = TestClient(create_app(kb, ApiSettings(token=TOKEN, rate_per_s=0)))
    auth = {"Authorization": f"Bearer {TOKEN}"}
    name, url = "上传测试.md", "/api/documents/%E4%B8%8A%E4%BC%A0%E6%B5%8B%E8%AF%95.md"
    first = "# 合成测试（虚构）\n\n某合成伞厂推行甲乙丙检验法，伞骨断裂率下降。\n".encode()
    second = "# 合成测试（虚构）\n\n某合成伞厂推行丁戊己巡检法，返修率下降。\n".encode()

    def found(text: str) -> bool:
        return any(text in h.chunk.text for h in kb.search(text, top_k=5, mode="bm25"))

    corpus_before = sorted(p.name for p in (work / "corpus").iterdir())
    with store.ingest_lock(work / "indexes"):  # what a running `kb ingest` in another process holds
        busy = client.put(url, content=first, headers=auth)
    assert busy.status_code == 409 and "没有改动" in busy.json()["error"]
    assert sorted(p.name for p in (work / "corpus").iterdir()) == corpus_before

    r = client.put(url, content=first, headers=auth)
    assert r.status_code == 200 and r.json()["saved"] == name and not r.json()["replaced"]
    assert found("甲乙丙检验法")
    r = client.put(url, content=second, headers=auth)
    assert r.status_code == 200 and r.json()["saved"] == name and r.json()["replaced"], r.text
    assert (work / "corpus" / name).read_bytes() == second and not list((work / "corpus").glob("上传测试 (*"))
    assert found("丁戊己巡检法") and not found("甲乙丙检验法")
    assert client.put(url, content=second, headers=auth).json()["already_present"]

    real_ingest = kb.ingest

    def raced(*_args, **_kwargs):  # another process took the index between the check and the ingest
        raise IngestBusy("另一个导入任务正在运行（索引已加锁），请等它结束后再试。")

    kb.ingest = raced
    assert client.put(url, content=first, headers=auth).status_code == 409
    assert (work / "corpus" / name).read_bytes() == second  # put back
    assert client.put("/api/documents/new.md", content=first, headers=auth).status_code == 409
    assert not (work / "corpus" / "new.md").exists()
    assert client.delete(url, headers=auth).status_code == 409
    assert (work / "corpus" / name).read_bytes() == second
    kb.ingest = real_ingest

    assert client.delete(url).status_code == 401
    r = client.delete(url, headers=auth)
    assert r.status_code == 200 and r.json()["removed"] == name and r.json()["changed"], r.text
    assert not (work / "corpus" / name).exists() and not found("丁戊己巡检法")
    gone = client.delete(url, headers=auth)
    assert gone.status_code == 404 and "没有文件" in gone.json()["error"]
    assert client.delete("/api/documents/..%2F..%2Fetc%2Fpasswd", headers=auth).status_code == 404
