"""``streamlit run`` whose embedding model may not load until a file exists (browser tests).

``python tests/gated_model.py run app.py …`` with ``KB_TEST_MODEL_GATE=<path>``: the real
model (``OnnxEmbedder.load``, the default, and ``SentenceTransformerEmbedder.load``) waits until ``<path>`` exists, so a test can look
at the page while the model is certainly still loading, then let it load.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import kb.embedding


def main() -> None:
    gate = Path(os.environ["KB_TEST_MODEL_GATE"])

    def gated(real_load):
        def gated_load(self):
            while not gate.exists():
                time.sleep(0.1)
            return real_load(self)
        return gated_load

    for cls in (kb.embedding.OnnxEmbedder, kb.embedding.SentenceTransformerEmbedder):
        cls.load = gated(cls.load)
    from streamlit.web.cli import main as streamlit_main

    sys.exit(streamlit_main())


if __name__ == "__main__":
    main()
