"""GRU Lab's page script (app.py serves it): the page, the navigation and the shared sidebar, nothing else.

Pages live in app_pages/, not pages/: a folder named pages/ switches Streamlit into its legacy
multipage mode for the first run of the server, which greets a shared link with "Page not found".
"""
import streamlit as st

from gru_lab import runtime
from gru_lab.ui import browser, classroom, lesson_builder, prewarm, style, urlstate, work
from gru_lab.ui.pages import FAVICON_URL, navigation, uses_fixed_model
from gru_lab.ui.sidebar import sidebar

st.set_page_config(page_title="GRU Lab", page_icon=FAVICON_URL, layout="wide")  # our own file: no outside server
work.warm_up()  # once per server: the worker processes start while the first page draws
prewarm.start()  # once per server, in the background: each page's defaults and the lesson's stops
browser.guard_widget_json()  # a tampered browser message is input, not a crash
style.readable()  # captions and slider values at AA contrast, in either theme

page = navigation()
urlstate.clean_link(page.url_path)
classroom.start()  # before the sidebar: it keeps the tab in classroom mode across the app's links
before = urlstate.snapshot()
urlstate.follow_link(page.url_path)
sidebar(page.url_path, fixed_model=uses_fixed_model(page.url_path))
notice = st.container()
page.run()
if page.url_path != "lesson":  # the lesson puts it in its own last row: one screen a stop
    classroom.leave_button()
lesson_builder.add_view_button(page.url_path)
urlstate.report_invalid(before, notice)
runtime.freeze_after_first_run()
