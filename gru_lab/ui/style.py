"""The app's one style sheet: readable text for the back row and for WCAG 2.2 AA (contrast ≥ 4.5:1).

Streamlit draws captions and help text in its faded grey (#7f7e7d on the sidebar's #f8f8f7 is 3.8:1)
and a slider's value in the theme's red (3.5:1 on the dark theme's background). Both rules below take
the theme's own text colour instead of a fixed one, so they hold in the light and the dark theme and
whichever the reader picks in the menu: a caption is that colour at 80 % (≥ 5.5:1 on either theme's
backgrounds), a slider's value is that colour. A fixed string: no user text ever goes in.
"""
from __future__ import annotations

import streamlit as st

READABLE_CSS = """<style>
[data-testid="stCaptionContainer"], [data-testid="stWidgetLabel"] [data-testid="stCaptionContainer"] {
  color: inherit !important; opacity: 0.8; }
[data-testid="stSliderThumbValue"], [data-testid="stSliderThumbValue"] p,
[data-testid="stSliderTickBarMin"], [data-testid="stSliderTickBarMax"] { color: inherit !important; }
</style>"""


def readable() -> None:
    st.html(READABLE_CSS)
