"""The per-text caches on the search path (word spans, place spans, glossary expansions) give
the same answers as computing afresh, and a caller changing what it got back changes no cache."""
from kb import glossary, regions
from kb.tokenizer import SPANS_CACHE_CHARS, Tokenizer

TEXT = "浙江绍兴上虞区伞业企业通过认证后，产品一次交验合格率提升到98%。"


def test_spans_cached_equal_to_fresh():
    tok = Tokenizer()
    first = tok.spans(TEXT)
    assert first == tok._spans(TEXT)
    assert tok.spans(TEXT) is first  # kept, not segmented again
    long = "质量" * (SPANS_CACHE_CHARS // 2 + 1)
    assert tok.spans(long) == tok._spans(long)
    assert tok.spans(long) is not tok.spans(long)  # too long to keep


def test_region_spans_copy_per_call():
    got = regions.region_spans(TEXT)
    assert [r.county for _, _, r in got] == ["上虞区"]
    got.clear()
    assert [r.county for _, _, r in regions.region_spans(TEXT)] == ["上虞区"]


def test_expansions_copy_per_call():
    q = "老板不重视质量，什么都交给手下"
    got = glossary.expansions(q)
    assert got, "the glossary should expand 老板不重视质量"
    got.append("不该留下")
    assert "不该留下" not in glossary.expansions(q)
    assert glossary.expansions(q) == list(glossary._expansions(q, glossary._default_tokenizer()))


def test_expansion_caches_go_with_their_tokenizer():
    """One cache per tokenizer, held weakly: a process making many knowledge bases (a test run) does not
    keep every tokenizer's dictionary alive through the cache."""
    import gc
    import weakref

    tok = Tokenizer()
    assert "伞业" in glossary.expansions("我们是做雨伞的小厂", tok)
    assert tok in glossary._EXPANSIONS
    gone = weakref.ref(tok)
    del tok
    gc.collect()
    assert gone() is None  # (other tests' knowledge bases may still hold theirs)
