"""The command line (kb/cli.py): Chinese argparse errors, queries starting with "-", batch
line order, notes for unknown filter values. Index built with the hash test embedder (fast)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from kb import KBConfig, KnowledgeBase
from kb.cli import ArgumentParser, argparse_message_zh, main

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def built(hash_kb) -> KnowledgeBase:
    return hash_kb  # the shipped corpus, hash test embedder (tests/conftest.py)


@pytest.fixture()
def env(built, monkeypatch):
    monkeypatch.setenv("KB_HOME", str(built.config.home))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    monkeypatch.setenv("KB_BACKEND", "local")
    return built


def run_error(capsys, argv: list[str]) -> str:
    """Run ``kb argv`` expecting an argparse error: exit code 2, nothing on stdout; the stderr text."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    out = capsys.readouterr()
    assert out.out == ""
    return out.err


# --- queries that start with "-" -----------------------------------------------------------

@pytest.mark.parametrize("query", ["-6.0%", "-认证贷", "--认证贷"])
def test_query_starting_with_a_dash_is_the_query(env, capsys, query):
    assert main(["search", query, "--json", "--top-k", "3"]) == 0
    got = json.loads(capsys.readouterr().out)
    assert got == env.search_json(query, top_k=3)
    assert main(["search", "--mode", "bm25", query, "--json"]) == 0  # options before it, too
    assert json.loads(capsys.readouterr().out)["query"] == query


def test_dash_query_finds_what_the_text_finds(env, capsys):
    assert main(["search", "-认证贷", "--json", "--top-k", "3", "--mode", "bm25"]) == 0
    got = json.loads(capsys.readouterr().out)["results"]
    assert got and got == env.search_json("认证贷", top_k=3, mode="bm25")["results"]


def test_options_stay_options(env, capsys):
    """A real option is never taken for the query; a second unknown word is still an error."""
    assert main(["search", "认证贷", "--json", "--top-k", "2"]) == 0
    assert len(json.loads(capsys.readouterr().out)["results"]) <= 2
    err = run_error(capsys, ["search", "-6.0%", "-3.2%", "--json"])
    assert "无法识别的参数：-3.2%" in err
    err = run_error(capsys, ["search", "认证贷", "--bogus"])
    assert "无法识别的参数：--bogus" in err
    err = run_error(capsys, ["bench", "-x"])  # a positional with fixed choices is not filled
    assert "无法识别的参数：-x" in err


def test_export_names_the_file_after_a_title_with_a_slash(env, capsys, tmp_path, monkeypatch):
    """--out a folder (or none: the current one): the file is named after the course title, and a
    "/" in the title is part of the name, not a folder (合成标题)."""
    title = "2023/2024 合成培训\\第一讲"
    assert main(["export", "--query", "认证贷", "--top-k", "1", "--title", title, "--out", f"{tmp_path}/", "--format", "md"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["2023_2024 合成培训_第一讲.md"]
    assert "# 2023/2024 合成培训" in (tmp_path / "2023_2024 合成培训_第一讲.md").read_text(encoding="utf-8")
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    assert main(["export", "--query", "认证贷", "--top-k", "1", "--title", "A/B 合成课件"]) == 0
    assert [p.name for p in here.iterdir()] == ["A_B 合成课件.docx"]
    assert "A_B 合成课件.docx" in capsys.readouterr().out
    # a file name given with --out is a path as before; a --format that contradicts it is refused
    assert main(["export", "--query", "认证贷", "--out", str(tmp_path / "x.md"), "--format", "pptx"]) == 2
    assert "不一致" in capsys.readouterr().err


def test_glossary_word_may_start_with_a_dash(capsys):
    assert main(["glossary", "-认证贷"]) == 0  # a word, not an unknown option
    assert capsys.readouterr().out.startswith("认证贷：")  # the term the text names


# --- argparse's errors in Chinese --------------------------------------------------------------

@pytest.mark.parametrize(("argv", "words"), [
    (["search", "认证贷", "--mode", "magic"], ["参数 --mode：无效的取值“magic”", "可选：hybrid、bm25、dense"]),
    (["search", "认证贷", "--kind", "novel"], ["参数 --kind：无效的取值“novel”", "report"]),
    (["nonsense"], ["参数 命令：无效的取值“nonsense”", "search"]),
    (["export", "--query", "认证贷", "--format", "doc"], ["参数 --format：无效的取值“doc”", "docx"]),
    (["search", "认证贷", "--top-k"], ["参数 --top-k：需要给出一个值"]),
    (["search", "认证贷", "--top-k", "abc"], ["参数 --top-k：应为正整数"]),
    (["serve", "--rate", "fast"], ["参数 --rate：应为数字，收到“fast”"]),
    (["serve", "--rate", "-1"], ["参数 --rate：应为 0 或正数（0 表示不限），收到 -1"]),
    (["serve", "--rate", "nan"], ["参数 --rate：应为 0 或正数"]),
    (["serve", "--port", "70000"], ["参数 --port：端口应在 1–65535 之间，收到 70000"]),
    (["serve", "--port", "0"], ["参数 --port：应为正整数（至少 1），收到 0"]),
    (["stats", "extra"], ["无法识别的参数：extra"]),
])
def test_argparse_errors_are_chinese(capsys, argv, words):
    err = run_error(capsys, argv)
    for w in words:
        assert w in err, err
    assert "错误：" in err and "用法：" in err
    for english in ("error:", "invalid choice", "unrecognized", "required", "expected", "usage:"):
        assert english not in err, err


def test_invalid_int_value_is_chinese(capsys):
    parser = ArgumentParser(prog="kb demo")
    parser.add_argument("--n", type=int)
    with pytest.raises(SystemExit) as info:
        parser.parse_args(["--n", "x"])
    assert info.value.code == 2
    assert "kb demo：错误：参数 --n：应为整数，收到“x”" in capsys.readouterr().err


def test_unknown_wording_is_kept():
    assert argparse_message_zh("something new") == "something new"
    assert argparse_message_zh("argument --x: something new") == "参数 --x：something new"


# --- batch: output line n answers input line n ---------------------------------------------

def test_batch_blank_lines_keep_their_place(env, capsys, tmp_path):
    batch = tmp_path / "q.txt"
    batch.write_text("认证贷\n\n家纺 缺陷\n   \n黄芪\n", encoding="utf-8")
    assert main(["search", "--batch", str(batch), "--json", "--top-k", "2"]) == 0
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["query"] for x in lines] == ["认证贷", "", "家纺 缺陷", "", "黄芪"]
    assert lines[1] == lines[3] == {"query": "", "notes": [], "not_in_documents": [], "definitions": [], "answer": None,
                                    "guidance": None, "results": []}
    assert lines[0] == env.search_json("认证贷", top_k=2)
    assert lines[4]["results"]


# --- unknown filter values ------------------------------------------------------------------

def test_unknown_industry_and_region_are_noted_on_stderr(env, capsys):
    assert main(["search", "认证贷", "--industry", "火星业", "--region", "火星", "--json"]) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)  # the JSON (and the API's) says it too, in "notes"
    assert data["results"] == [] and data["answer"] is None and len(data["notes"]) == 2
    assert data["notes"][0].startswith("未知行业“火星业”") and data["notes"][1].startswith("未识别的地区“火星”")
    assert "未知行业“火星业”，可选：" in out.err and "纺织业" in out.err
    assert "未识别的地区“火星”" in out.err
    assert main(["cases", "--industry", "火星业", "--json"]) == 0
    out = capsys.readouterr()
    assert out.out == "" and "未知行业“火星业”" in out.err
    assert main(["cases", "--region", "火星", "--problem", "产品缺陷率高", "--json"]) == 0
    assert "未识别的地区“火星”" in capsys.readouterr().err


@pytest.mark.parametrize(("industry", "region"), [("纺织业", "江苏"), ("家纺", "南通市"), (None, "朝阳")])
def test_known_filter_values_get_no_note(env, capsys, industry, region):
    args = ["--industry", industry] if industry else []
    assert main(["search", "缺陷率", "--region", region, *args, "--json"]) == 0
    assert capsys.readouterr().err == ""
    assert main(["cases", "--region", region, *args, "--json"]) == 0
    assert capsys.readouterr().err == ""


# --- direct answer scores ---------------------------------------------------------------------

def test_answer_scores_are_between_0_and_1_and_in_order(env):
    from kb.retrieval import answer_score

    assert answer_score(1.5) == 1.0 and answer_score(-0.3) == 0.0 and answer_score(0.75) == 0.5
    for q in ("认证贷", "家纺企业产品缺陷率高", "质量管理体系认证有什么好处", "黄芪"):
        sentences = env.search_json(q, top_k=5)["answer"]["sentences"]
        scores = [s["score"] for s in sentences]
        assert scores and all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)


def test_answer_score_stays_within_1_when_cosine_is_1(tmp_path):
    """Every text embedded alike (cosine 1): the ranking score of a sentence holding most query
    words is well above 1 (1 + 0.5 × share + 0.2 × its passage's score); it is reported divided by
    its largest possible value (it used to be raw)."""
    import numpy as np

    from kb.embedding import HashEmbedder

    class SameVector(HashEmbedder):
        def __init__(self):
            super().__init__(64)
            self.model_id = "same-vector-64"

        def identity(self) -> dict:
            return {**super().identity(), "id": self.model_id, "files_sha256": "0" * 64}

        def embed(self, texts, progress=False):
            out = np.zeros((len(texts), self.dim), dtype=np.float32)
            out[:, 0] = 1.0
            return out

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    kb = KnowledgeBase(KBConfig(home=tmp_path, model="same-vector-64", backend="local"), embedder=SameVector())
    assert not kb.ingest().failed
    sentences = kb.search_json("认证贷", top_k=3)["answer"]["sentences"]
    # 0.836 since session 29: the sentence holds the glossary's words for 认证贷 (认证融资贷款…), not 认证贷 itself,
    # and words only the glossary added count answer_expansion_weight (0.75) in its word share
    assert 0.8 < sentences[0]["score"] <= 1.0 and "认证融资贷款" in sentences[0]["text"]
    assert all(0.0 <= s["score"] <= 1.0 for s in sentences)


def test_chunks_of_an_unknown_document_is_an_error(tmp_path, monkeypatch, capsys):
    from kb import KBConfig, KnowledgeBase, cli

    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "合成.txt").write_text("（合成测试文字）合成县伞业小厂通过质量管理体系认证。", encoding="utf-8")
    KnowledgeBase(KBConfig(home=tmp_path, model="hash-bigram-64")).ingest()
    monkeypatch.setenv("KB_HOME", str(tmp_path))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert cli.main(["chunks", "--doc", "nope"]) == 2
    err = capsys.readouterr().err
    assert "没有编号为“nope”的文档" in err and "（合成）" in err


# --- kb cases --top-k without conditions ----------------------------------------------------

def test_cases_top_k_limits_the_unconditioned_list(env, capsys):
    assert main(["cases", "--json"]) == 0
    every = [json.loads(x)["case_id"] for x in capsys.readouterr().out.splitlines()]
    assert len(every) > 3  # with no condition and no --top-k: all cases
    assert main(["cases", "--top-k", "3", "--json"]) == 0
    assert [json.loads(x)["case_id"] for x in capsys.readouterr().out.splitlines()] == every[:3]
    assert main(["cases", "--kind", env.all_cases()[0].kind, "--top-k", "2"]) == 0
    assert capsys.readouterr().out.count("编号：") == 2


@pytest.mark.parametrize("problem", ["认证融资贷款门槛高", "产品质量不稳定，客户投诉多"])
def test_cases_set_apart_the_ones_that_do_not_clearly_match_the_problem(env, capsys, problem):
    from kb.config import KBConfig

    assert main(["cases", "--problem", problem, "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    floor = KBConfig().guidance_problem_min
    weak = [i for i, r in enumerate(rows) if r["score_parts"].get("problem", 0.0) < floor]
    assert [i for i, r in enumerate(rows) if r["weak"]] == weak  # the JSON marks the same cases
    assert main(["cases", "--problem", problem]) == 0
    out = capsys.readouterr().out
    marks = [line for line in out.splitlines() if "仅供参考" in line]
    if not weak:
        assert not marks
    else:  # one mark, right before the first weak case (at the top when none matches clearly)
        assert len(marks) == 1
        after = out.split(marks[0], 1)[1]
        assert after.lstrip().startswith(f"[{weak[0] + 1}] ")
        assert ("没有与所述问题明显相符" in marks[0]) == (weak[0] == 0)
    # With a trade the ranking is by trade first: nothing is set apart.
    assert main(["cases", "--problem", problem, "--industry", "纺织", "--json"]) == 0
    assert not any(json.loads(x)["weak"] for x in capsys.readouterr().out.splitlines())


def test_cases_for_an_off_topic_problem_say_why_the_list_is_empty(env, capsys):
    from kb.knowledge_base import OFF_TOPIC_CASES_NOTE

    assert main(["cases", "--problem", "今天天气怎么样", "--json"]) == 0
    out = capsys.readouterr()
    assert out.out == "" and f"提示：{OFF_TOPIC_CASES_NOTE}" in out.err
    assert main(["cases", "--problem", "今天天气怎么样"]) == 0
    out = capsys.readouterr()
    assert "没有符合条件的案例" in out.out and OFF_TOPIC_CASES_NOTE in out.err
    assert env.industry_notes(None, [], problem="认证贷门槛高") == []  # on topic: no such note


def test_case_without_a_section_or_page_cites_the_document_alone(tmp_path, monkeypatch, capsys):
    """A DOCX case record with no section and no page numbers: "出处：文档", no dangling " · "."""
    import docx

    from kb import cli

    (tmp_path / "corpus").mkdir()
    document = docx.Document()
    for text in ("合成县某伞业有限公司帮扶案例", "（本文件为测试用虚构案例）", "存在问题：伞骨断裂投诉多。",
                 "帮扶措施：建立来料检验制度。", "取得成效：伞骨断裂率由5%降至2%。"):
        document.add_paragraph(text)
    document.save(str(tmp_path / "corpus" / "合成案例.docx"))
    kb = KnowledgeBase(KBConfig(home=tmp_path, model="hash-bigram-64"))
    assert not kb.ingest().failed
    (case,) = kb.cases()
    assert case.case.section == () and case.case.page is None  # what this test is about
    monkeypatch.setenv("KB_HOME", str(tmp_path))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    capsys.readouterr()
    assert cli.main(["cases"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "出处：" in x)
    assert line.endswith("出处：" + case.doc_title), line


# --- errors a user meets before anything runs ---------------------------------------------------

def test_serve_on_a_port_in_use_says_so_in_chinese_before_loading_anything(capsys, monkeypatch):
    import socket

    monkeypatch.setattr("kb.cli._kb", lambda args: pytest.fail("the index was opened"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"错误：无法在 127.0.0.1:{port} 上监听：端口已被占用。可以用 --port 换一个端口" in err


def test_serve_on_an_address_this_machine_lacks(capsys, monkeypatch):
    monkeypatch.setattr("kb.cli._kb", lambda args: pytest.fail("the index was opened"))
    assert main(["serve", "--host", "nosuch.invalid"]) == 2
    assert "错误：无法识别监听地址“nosuch.invalid”" in capsys.readouterr().err


def test_export_into_a_new_folder_with_a_long_title(env, capsys, tmp_path):
    """--out in a folder that does not exist yet (it is made), and a title longer than the 255
    characters an Office file property holds (the property is cut; the heading keeps it all)."""
    import docx
    import pptx

    title = "家纺行业质量提升培训" * 40  # 400 characters
    for name in ("课件/第一讲.docx", "课件/幻灯片/第一讲.pptx", "新目录/第一讲.md"):
        out = tmp_path / name
        assert main(["export", "--query", "认证贷", "--top-k", "2", "--title", title, "--out", str(out)]) == 0
        assert out.is_file() and out.stat().st_size > 0
    word = docx.Document(str(tmp_path / "课件/第一讲.docx"))
    assert word.core_properties.title == title[:255]
    assert any(p.text == title for p in word.paragraphs)
    slides = pptx.Presentation(str(tmp_path / "课件/幻灯片/第一讲.pptx"))
    assert slides.core_properties.title == title[:255]
    assert title in (tmp_path / "新目录/第一讲.md").read_text(encoding="utf-8")


def test_export_to_an_unwritable_place_is_a_chinese_error(env, capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    assert main(["export", "--query", "认证贷", "--out", str(blocker / "x.md")]) == 2
    assert f"错误：无法写入 {blocker / 'x.md'}：" in capsys.readouterr().err


def test_eval_of_an_empty_query_file_explains_the_format(env, capsys, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    assert main(["eval", "--queries", str(empty)]) == 2
    err = capsys.readouterr().err
    assert f"错误：评测集 {empty} 里没有查询：每行应是一个 JSON 对象" in err


def test_a_gbk_terminal_gets_valid_json_and_text_for_an_emoji_query(env):
    """A Windows console in GBK cannot encode 😀: --json falls back to \\u escapes (valid JSON,
    nothing lost), plain text prints "?" for it, and neither ends in UnicodeEncodeError."""
    import os
    import subprocess
    import sys

    run_env = dict(os.environ, PYTHONIOENCODING="gbk", KB_HOME=str(env.config.home), KB_MODEL="hash-bigram-64",
                   KB_BACKEND="local", PYTHONPATH=str(REPO))
    args = [sys.executable, "-m", "kb", "search", "认证贷😀", "--top-k", "2"]
    out = subprocess.run([*args, "--json"], env=run_env, capture_output=True, timeout=300)
    assert out.returncode == 0, out.stderr.decode("gbk", "replace")
    data = json.loads(out.stdout.decode("gbk"))
    assert data["query"] == "认证贷😀" and data["results"]
    text = subprocess.run(args, env=run_env, capture_output=True, timeout=300)
    assert text.returncode == 0, text.stderr.decode("gbk", "replace")
    assert "认证贷" in text.stdout.decode("gbk") and b"Traceback" not in text.stderr


def test_file_errors_are_explained_in_chinese(env, capsys, tmp_path):
    """The operating system's reasons (English strerror) are given in Chinese."""
    assert main(["search", "--batch", str(tmp_path)]) == 2
    assert f"错误：无法读取查询文件 {tmp_path}：这是一个文件夹，不是文件" in capsys.readouterr().err
    assert main(["eval", "--queries", str(tmp_path / "没有.jsonl")]) == 2
    assert f"错误：无法读取评测集 {tmp_path / '没有.jsonl'}：文件或文件夹不存在" in capsys.readouterr().err


def test_a_fuzzers_inputs_get_chinese_errors(env, capsys, tmp_path, monkeypatch):
    """Each once gave a traceback, English, a silent surprise or a wrong exit code (a fuzzer's list)."""
    def error_of(argv: list[str], code: int = 2) -> str:
        assert main(argv) == code, argv
        return capsys.readouterr().err

    assert "导入路径不能为空" in error_of(["ingest", ""])
    assert "请给出查询词" in error_of(["search", "   "])
    batch = tmp_path / "q.txt"
    batch.write_text("认证贷\n", encoding="utf-8")
    assert "--batch 与查询词不能同时给出" in error_of(["search", "认证贷", "--batch", str(batch)])
    assert "--like 需要一个案例编号" in error_of(["cases", "--like", ""])
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00\x81" * 20)
    assert "不是 UTF-8 编码的文本" in error_of(["eval", "--queries", str(binary)])
    array = tmp_path / "array.jsonl"
    array.write_text("[1, 2]\n", encoding="utf-8")
    assert "第 1 行不是 JSON 对象" in error_of(["eval", "--queries", str(array)])
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"id": "q1" "query": "x"}\n', encoding="utf-8")
    err = error_of(["eval", "--queries", str(broken)])
    assert "第 1 行不是合法的 JSON" in err and "delimiter" not in err
    with pytest.raises(SystemExit):
        main(["export", "--query", "认证贷", "--top-k", "500", "--out", str(tmp_path / "x.md")])
    assert "每个查询最多导出 50 条" in capsys.readouterr().err
    # the results show "C17 纺织业": the code is a filter too
    assert main(["cases", "--industry", "C17", "--json"]) == 0
    assert "未知行业" not in capsys.readouterr().err
    assert main(["glossary", "採信"]) == 0  # Traditional, as searches take it
    assert "采信" in capsys.readouterr().out


def test_environments_that_cannot_work_say_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    monkeypatch.setenv("KB_HOME", str(tmp_path))  # no corpus/ folder
    assert main(["ingest"]) == 2
    assert "没有文档文件夹" in capsys.readouterr().err and not (tmp_path / "indexes" / "current").exists()
    afile = tmp_path / "a-file"
    afile.write_text("x", encoding="utf-8")
    monkeypatch.setenv("KB_HOME", str(afile))
    (tmp_path / "corpus").mkdir()
    assert main(["ingest", str(tmp_path / "corpus")]) == 2
    assert "错误：无法读写" in capsys.readouterr().err
    monkeypatch.setenv("KB_HOME", str(tmp_path))
    monkeypatch.setenv("KB_MODEL", str(tmp_path / "corpus"))  # a folder, but no model
    (tmp_path / "corpus" / "合成.txt").write_text("一、合成\n合成测试文本（本文件为测试用合成材料）。\n", encoding="utf-8")
    assert main(["ingest"]) == 2
    assert "不是嵌入模型目录" in capsys.readouterr().err


def test_unknown_document_id_and_export_filters_are_noted(env, capsys, tmp_path):
    assert main(["search", "认证贷", "--doc", "nosuch", "--json"]) == 0
    out = capsys.readouterr()
    assert "没有编号以“nosuch”开头的文档" in out.err and json.loads(out.out)["notes"]
    assert main(["export", "--problem", "缺陷", "--industry", "火星业", "--out", str(tmp_path / "x.md")]) == 2
    err = capsys.readouterr().err
    assert "未知行业“火星业”" in err and "没有符合筛选条件（行业：火星业）" in err
    # the place applies to the passages of --query too (it said 结果将为空 and exported them anyway)
    assert main(["export", "--query", "认证贷", "--region", "火星", "--out", str(tmp_path / "y.md")]) == 2
    assert "没有符合筛选条件（地区：火星）" in capsys.readouterr().err and not (tmp_path / "y.md").exists()


def test_a_newline_in_a_file_name_keeps_the_ingest_table_in_columns(tmp_path, monkeypatch, capsys):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "合成\n换行.txt").write_text("一、合成\n合成测试文本（本文件为测试用合成材料）。\n", encoding="utf-8")
    monkeypatch.setenv("KB_HOME", str(tmp_path))
    monkeypatch.setenv("KB_MODEL", "hash-bigram-64")
    assert main(["ingest", "-q"]) == 0
    table = [line for line in capsys.readouterr().out.splitlines() if "合成" in line]
    assert table and "合成␤换行.txt" in table[0]


@pytest.mark.parametrize("name, kind", [("地方经验", "local_experience"), ("企业案例", "enterprise_case"),
                                        (" 报告 ", "report")])
def test_kind_takes_its_chinese_name(env, capsys, name, kind):
    """kb cases --kind 地方经验 was rejected; the Chinese names the output shows are accepted too."""
    assert main(["cases", "--kind", name, "--json"]) == 0
    by_name = capsys.readouterr().out
    assert main(["cases", "--kind", kind, "--json"]) == 0
    assert by_name == capsys.readouterr().out
    assert main(["search", "认证贷", "--kind", name, "--json"]) == 0
    assert all(r["kind"] == kind for r in json.loads(capsys.readouterr().out)["results"])


def test_cases_industry_note_counts_the_index_not_the_list(env, capsys):
    """The note named the trade as missing from the index whenever the top k held none of it."""
    assert main(["cases", "--industry", "医药制造业", "--top-k", "3"]) == 0
    err = capsys.readouterr().err
    has = any("医药制造业" in c.all_industries for c in env.all_cases())
    assert ("索引中没有“医药制造业”" in err) != has
