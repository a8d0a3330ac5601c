import streamlit as st

from gru_lab.ui import classroom, session
from gru_lab.ui import lesson as ui
from gru_lab.ui.lesson import plain
from gru_lab.ui.sidebar import current

s = current()
in_class = classroom.active()
lesson, source, problem = ui.active()
K = len(lesson.stops)
n = ui.stop_number()
st.title("Guided lesson")
if problem:  # named in the app's link notice, like every setting a link gets wrong
    ui.refuse("lesson", f"**Lesson** (`lesson`) cannot be used: {plain(problem)}; the built-in lesson is shown")
if n > K:
    ui.refuse("stop", f"**Lesson stop** (`stop`) = `{n}` is past the end: this lesson has {K} stops (1 to {K}), "
                      "so stop 1 is shown")
    n = 1
stop = lesson.stops[n - 1]
lid = ui.lesson_id(lesson)

st.caption(plain(lesson.title))
st.progress(n / K, text=f"Stop {n} of {K}")
st.subheader(plain(stop.title))
st.markdown(plain(stop.note))
st.page_link(ui.PAGE_FILES[stop.page], label="Explore this view", icon=ui.ICONS[stop.page],
             query_params=ui.explore_params(stop, s, in_class))

q = stop.question
if q is not None:
    st.caption(ui.answer_source(stop, s))
    choice = st.radio(plain(q.prompt), range(len(q.options)), index=None, format_func=lambda i: plain(q.options[i]),
                      key=f"lesson_answer_{lid}_{n}")
    if st.button("Reveal the answer", key="lesson_reveal", icon=":material/visibility:"):
        session.put(session.LESSON_REVEALED, (lid, n))
    if session.get(session.LESSON_REVEALED) == (lid, n):
        try:
            right, why = ui.answer(stop, s)
        except ValueError as err:
            st.warning(f"The answer cannot be computed for these settings: {plain(err)}.", icon=":material/warning:")
        else:
            told = f"The answer: **{plain(q.options[right])}**. {plain(why)}"
            if choice is None:
                st.info("You did not pick an option. " + told, icon=":material/lightbulb:")
            elif choice == right:
                st.success("Right. " + told, icon=":material/check_circle:")
            else:
                st.info(f"Not quite: you picked {plain(q.options[choice])}. " + told, icon=":material/cancel:")

back, progress, forward = st.columns([1, 2, 1], vertical_alignment="center")
back.button("Back", key="lesson_back", icon=":material/arrow_back:", disabled=n <= 1, on_click=ui.go_to, args=(n - 1,),
            width="stretch")
forward.button("Next", key="lesson_next", icon=":material/arrow_forward:", disabled=n >= K, on_click=ui.go_to,
               args=(n + 1,), width="stretch")
with progress:
    ui.share(lesson, source, n, in_class, s)
if source != "built-in":
    st.button("Back to the built-in lesson", key="lesson_built_in", on_click=ui.built_in,
              icon=":material/school:")
if not in_class:  # classroom mode shows the lesson only
    ui.builder()
