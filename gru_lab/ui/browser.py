"""What the browser sends is input: the guards on Streamlit's own reading of widget values."""
from __future__ import annotations

import json
import logging
import math

NUMBERS = {"int_value", "double_value"}
LOG = logging.getLogger("gru_lab")


def guard_widget_json() -> None:
    """Two guards on widget messages, installed once per process (requirements.txt pins the minor version
    these private functions belong to; tests/e2e/test_viewer_messages.py and test_class_hardening.py fail if
    they move):

    - A value that is not JSON Streamlit can read becomes a safe "no value". Streamlit 1.67 parses a
      component's `json_value` with `json.loads` before any deserializer or callback of the app runs
      (`session_state.unpack_widget_state_value`), so a tampered tab that sends `not json` or a 5,000-digit
      number would get an exception on every later run of its session, beyond the app's reach. The app's
      own check of the value (the step viewer's `reported`) then sees None and keeps the page's position.
    - A value of another type than the widget's own (a number or an object sent for a radio, whose value is
      text) is dropped. Streamlit stores it as it came and then fails to read or write it back
      (`TypeError: 'str' object cannot be interpreted as an integer`, `unhashable type: 'dict'`), again on
      every later run of the session. A widget the session has not drawn yet is let through: its type is
      not known, and the first run that draws it reads it with the widget's own deserializer.
    """
    from streamlit.runtime.state import session_state

    # st.number_input registers "double_value" whatever its type, and the browser sends an int's as
    # "int_value": both are numbers, which the widget's own deserializer converts.

    unpack = session_state.unpack_widget_state_value
    if getattr(unpack, "_gru_lab_guard", False):
        return

    def tolerant(widget_state):
        if widget_state.WhichOneof("value") == "json_value":
            try:
                return json.loads(widget_state.json_value)
            except (ValueError, RecursionError) as err:  # JSONDecodeError, int digit limit, deep nesting
                LOG.warning("ignored a widget value that is not JSON: %s", err)
                return None
        return unpack(widget_state)

    store = session_state.WStates.set_widget_from_proto

    def typed(self, widget_state):
        meta = self.widget_metadata.get(widget_state.id)
        sent = widget_state.WhichOneof("value")
        if meta is not None and sent is not None and sent != meta.value_type and {sent, meta.value_type} != NUMBERS:
            LOG.warning("ignored a widget value of type %s for a widget whose values are %s", sent, meta.value_type)
            return
        if sent == "double_value" and not math.isfinite(widget_state.double_value):  # the page never sends these
            LOG.warning("ignored a widget value that is not a finite number")
            return
        store(self, widget_state)

    tolerant._gru_lab_guard = True
    session_state.unpack_widget_state_value = tolerant
    session_state.WStates.set_widget_from_proto = typed
