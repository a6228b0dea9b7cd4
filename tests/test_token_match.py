"""Token-level matching (kb/token_match.py): the arithmetic, the caches, and its place in ranking."""

from __future__ import annotations

import numpy as np
import pytest

from kb.embedding import HashEmbedder
from kb.fusion import rerank
from kb.token_match import TokenMatcher, _content, late_interaction, spread


def test_late_interaction_by_hand():
    q = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)
    p = np.array([[1.0, 0.0], [0.6, 0.8]], dtype=np.float16)
    # token 1 best 1.0 (first passage token), token 2 best 0.8 (second): mean 0.9
    assert late_interaction(q, p) == pytest.approx(0.9, abs=1e-3)
    assert late_interaction(q[:0], p) == 0.0 and late_interaction(q, p[:0]) == 0.0


def test_spread_maps_median_to_0_and_best_to_1():
    out = spread({1: 0.5, 2: 0.6, 3: 0.9})
    assert out == {1: 0.0, 2: 0.0, 3: 1.0}
    assert spread({1: 0.4, 2: 0.5, 3: 0.6, 4: 0.8})[3] == pytest.approx((0.6 - 0.55) / (0.8 - 0.55))
    assert spread({1: 0.7, 2: 0.7}) == {1: 0.0, 2: 0.0} and spread({}) == {}


def test_question_tokens_without_particles_and_punctuation():
    assert [t for t in "我们厂的次品率怎么降？" if _content(t)] == ["厂", "次", "品", "率", "降"]
    assert _content("iso") and _content("##00") and not _content("[UNK]") and not _content("，")


def test_rerank_adds_token_match_and_figure_bonus_and_stays_within_1():
    ev = {1: 0.5, 2: 0.45, 3: 1.0}
    out = rerank(ev, {2: 1.0, 3: 1.0}, {2}, token_weight=0.1, figure_bonus=0.1)
    assert out[2] > out[1]  # the token match and the figure lift 2 over 1
    assert out[1] == pytest.approx(0.5 / 1.2) and out[3] == pytest.approx(1.1 / 1.2)
    assert all(0.0 <= v <= 1.0 for v in out.values())
    assert rerank(ev, {}, set(), 0.0, 0.0) == ev


class CountingHash(HashEmbedder):
    def __init__(self):
        super().__init__(64)
        self.calls = 0

    def token_vectors(self, texts):
        self.calls += len(texts)
        return super().token_vectors(texts)


def test_passage_vectors_are_cached_on_disk_for_the_next_process(tmp_path):
    texts = {0: "南通家纺企业产品缺陷发生率从15%降至7%", 1: "德清县地理信息产业认证服务中心", 2: "年利润率平均提升8.3%"}
    first = CountingHash()
    a = TokenMatcher(lambda: first, tmp_path / "cache")
    scores = a.scores("家纺厂次品多", texts)
    assert max(scores, key=scores.get) == 0
    assert first.calls == 1 + 3  # the question, then the three passages
    files = list((tmp_path / "cache").rglob("*.npy"))
    assert len(files) == 3 and all(np.load(f, allow_pickle=False).dtype == np.float16 for f in files)

    second = CountingHash()  # a new process: nothing in memory
    b = TokenMatcher(lambda: second, tmp_path / "cache")
    assert b.scores("家纺厂次品多", texts) == pytest.approx(scores)
    assert second.calls == 1  # only the question: the passages came from disk
    assert all(b.cached(t) for t in texts.values()) and not b.cached("别的段落")


def test_a_damaged_cache_file_is_computed_again(tmp_path):
    emb = CountingHash()
    m = TokenMatcher(lambda: emb, tmp_path / "cache")
    m.passage_vectors(["认证贷"])
    (path,) = (tmp_path / "cache").rglob("*.npy")
    path.write_bytes(b"not an array")
    again = TokenMatcher(lambda: emb, tmp_path / "cache")
    (vectors,) = again.passage_vectors(["认证贷"])
    assert vectors.shape == (3, 64) and emb.calls == 2


def test_no_token_vectors_no_matching(tmp_path):
    class Plain:
        def embed(self, texts):
            return np.zeros((len(texts), 4), dtype=np.float32)

    assert not TokenMatcher(lambda: Plain(), tmp_path).available()


def test_hybrid_hits_report_their_token_match(tmp_path):
    import shutil
    from pathlib import Path

    from kb import KBConfig, KnowledgeBase

    shutil.copytree(Path(__file__).resolve().parent.parent / "corpus", tmp_path / "corpus")
    kb = KnowledgeBase(KBConfig(home=tmp_path, model="hash-bigram-64"))
    assert not kb.ingest().failed
    hybrid = kb.search("家纺企业产品缺陷率高", top_k=5)
    assert hybrid and all(h.token_match is not None and 0.0 <= h.token_match <= 1.0 for h in hybrid)
    assert max(h.token_match for h in hybrid) == 1.0
    assert all(h.token_match is None for h in kb.search("家纺企业产品缺陷率高", top_k=5, mode="bm25"))
    assert list((tmp_path / "indexes" / "token_cache").rglob("*.npy"))  # kept for the next search
    matcher = kb.retriever.token_matcher
    missing = [t for t in {c.text for c in kb.chunks()} if not matcher.cached(t)]
    assert missing  # a search embeds only the candidates with the most evidence
    kb.start_token_warm_up().join(60)  # what the web app and kb serve start in the background
    assert all(matcher.cached(t) for t in missing)
    assert kb.warm_token_cache() == 0


@pytest.mark.slow
def test_real_model_token_vectors(real_embedder):
    """m3e-small through ONNX: one normalised vector per character, no [CLS]/[SEP], the same
    whatever else is in the batch (padding is masked)."""
    (tokens, vectors), = real_embedder.token_vectors(["小微企业认证贷"])
    assert tokens == list("小微企业认证贷") and vectors.shape == (7, real_embedder.dim)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    batch = real_embedder.token_vectors(["南通市为家纺产业链小微企业量身定制防错方法", "小微企业认证贷"])
    assert np.allclose(batch[1][1], vectors, atol=1e-3)
    # a paraphrase's characters find their counterparts: 小厂 is closer to 小微企业 than to 地理信息
    q = TokenMatcher(lambda: real_embedder).question_vectors("小厂")
    near = late_interaction(q, real_embedder.token_vectors(["小微企业"])[0][1])
    far = late_interaction(q, real_embedder.token_vectors(["地理信息"])[0][1])
    assert near > far


def test_prune_keeps_only_the_passages_still_indexed(tmp_path):
    emb = CountingHash()
    m = TokenMatcher(lambda: emb, tmp_path / "cache")
    m.passage_vectors(["旧段落一", "旧段落二", "新段落"])
    (tmp_path / "cache" / "stray.tmp").write_bytes(b"")
    (next((tmp_path / "cache").iterdir()) / "left.tmp").write_bytes(b"")
    assert m.prune(["新段落"]) == 3  # two old passages and the temporary file of this model
    fresh = TokenMatcher(lambda: emb, tmp_path / "cache")
    assert fresh.cached("新段落") and not fresh.cached("旧段落一")


def test_an_empty_cache_file_is_computed_again(tmp_path):
    """np.load raises EOFError, not ValueError, on an empty file (a crash before)."""
    emb = CountingHash()
    TokenMatcher(lambda: emb, tmp_path / "cache").passage_vectors(["认证贷"])
    (path,) = (tmp_path / "cache").rglob("*.npy")
    path.write_bytes(b"")
    (vectors,) = TokenMatcher(lambda: emb, tmp_path / "cache").passage_vectors(["认证贷"])
    assert vectors.shape == (3, 64) and path.stat().st_size > 0
