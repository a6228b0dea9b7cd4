"""``streamlit run`` whose embedding model may not load until a file exists (browser tests).

``python tests/gated_model.py run app.py …`` with ``KB_TEST_MODEL_GATE=<path>``: the real
model (``OnnxEmbedder.load`` or ``SentenceTransformerEmbedder.load``) waits until ``<path>`` exists, so a test can look
at the page while the model is certainly still loading, then let it load.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import kb.embedding


def _gated(real_load, gate: Path):
    def gated_load(self):
        while not gate.exists():
            time.sleep(0.1)
        return real_load(self)
    return gated_load


def main() -> None:
    gate = Path(os.environ["KB_TEST_MODEL_GATE"])
    for cls in (kb.embedding.OnnxEmbedder, kb.embedding.SentenceTransformerEmbedder):
        cls.load = _gated(cls.load, gate)
    from streamlit.web.cli import main as streamlit_main

    sys.exit(streamlit_main())


if __name__ == "__main__":
    main()
