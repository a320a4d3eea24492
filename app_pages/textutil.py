"""Text for Streamlit's Markdown: user strings and dollar amounts shown literally."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: str) -> str:
    """Escape Markdown (and the ``$`` that would start LaTeX) so ``text`` shows as written."""
    return _SPECIAL.sub(r"\\\1", text)
