"""The shape of the package: imports go one way (no cycles), lower layers never import upper ones."""

from __future__ import annotations

import ast
from pathlib import Path

KB = Path(__file__).resolve().parent.parent / "kb"
# Layers that must not depend on the knowledge base, the reader/writer or any face of it.
LOWER = {"records", "errors", "config", "loaders", "numbering", "labels", "cleaning", "structure", "chunking", "cases", "regions",
         "industries", "tokenizer", "synonyms", "glossary", "embedding", "bm25_index", "vector_index", "fusion", "store",
         "pipeline", "worker", "present", "snapshot", "cases_ranking", "ocr", "scan_samples",
         "model_files", "onnx_model", "onnx_export"}
UPPER = {"knowledge_base", "indexing", "retrieval", "ui_helpers", "cli", "export", "export_pptx", "evaluation", "bench",
         "api", "milvus_backend"}


def _imports(path: Path) -> set[str]:
    """kb modules imported by ``path`` (module level and inside functions alike)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                found.add(node.module.split(".")[0])
            elif node.level == 1:
                found.update(a.name for a in node.names)
            elif node.module and node.module.startswith("kb."):
                found.add(node.module.split(".")[1])
        elif isinstance(node, ast.Import):
            found.update(a.name.split(".")[1] for a in node.names if a.name.startswith("kb."))
    return found


def _graph() -> dict[str, set[str]]:
    mods = {p.stem: p for p in KB.glob("*.py")}
    return {name: _imports(path) & set(mods) - {name} for name, path in mods.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_no_import_cycles_in_kb():
    cycle = _cycle(_graph())
    assert cycle is None, " → ".join(cycle)


def test_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_lower_layers_do_not_import_upper_ones():
    graph = _graph()
    for name in LOWER & set(graph):
        assert not graph[name] & UPPER, f"kb/{name}.py imports {sorted(graph[name] & UPPER)}"
