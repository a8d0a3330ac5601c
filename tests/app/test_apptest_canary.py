"""The canary for AppTest internals: the suite reaches two private attributes (in apptools only).

If a Streamlit release renames them, this fails with the reason, before every other app test fails
with a confusing one.
"""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from .apptools import APP


def test_apptest_private_attributes():
    at = AppTest.from_file(str(APP))
    assert hasattr(at, "_registered_pages"), "AppTest._registered_pages is gone: update apptools.knows_pages"
    assert hasattr(at, "_bidi_component_manager"), "AppTest._bidi_component_manager is gone: update apptools.new_app"
    at.run()
    assert at._registered_pages, "st.navigation's pages are no longer kept on AppTest"
