"""What the browser sends is input: the guard on Streamlit's own parsing of widget values."""
from __future__ import annotations


def guard_widget_json() -> None:
    """A browser message whose widget value is not JSON Streamlit can read makes a safe "no value".

    Streamlit 1.67 parses a component's `json_value` with `json.loads` before any deserializer or
    callback of the app runs (`session_state.unpack_widget_state_value`), so a tampered tab that sends
    `not json` or a 5,000-digit number gets an exception on every later run of its session, beyond the
    app's reach. The app's own check of the value (the step viewer's `reported`) then sees None and
    keeps the page's position. Installed once per process; requirements.txt pins the minor version
    this private function belongs to, and tests/e2e/test_viewer_messages.py fails if it moves.
    """
    import json
    import logging

    from streamlit.runtime.state import session_state

    unpack = session_state.unpack_widget_state_value
    if getattr(unpack, "_gru_lab_guard", False):
        return

    def tolerant(widget_state):
        if widget_state.WhichOneof("value") == "json_value":
            try:
                return json.loads(widget_state.json_value)
            except (ValueError, RecursionError) as err:  # JSONDecodeError, int digit limit, deep nesting
                logging.getLogger("gru_lab").warning("ignored a widget value that is not JSON: %s", err)
                return None
        return unpack(widget_state)

    tolerant._gru_lab_guard = True
    session_state.unpack_widget_state_value = tolerant
