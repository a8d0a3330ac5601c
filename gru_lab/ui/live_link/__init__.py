"""A link box whose address follows the page: the server's link with some parameters read from the
browser's address when shown (the step page's t and unit, which the viewer writes there without a
rerun). Plain text in a read-only field, never HTML, with a copy button.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

_HERE = Path(__file__).parent
_MOUNT = st.components.v2.component(
    "gru_lab_live_link",
    html=(_HERE / "live_link.html").read_text(encoding="utf-8"),
    css=(_HERE / "live_link.css").read_text(encoding="utf-8"),
    js=(_HERE / "live_link.js").read_text(encoding="utf-8"),
)


def live_link(link: str, live: tuple[str, ...], key: str) -> None:
    """Show `link`, with each parameter in `live` replaced by the browser address's value, if it has one."""
    _MOUNT(key=key, data={"link": link, "live": list(live)})
