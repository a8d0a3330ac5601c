import streamlit as st

from gru_lab.classes import StoreDown
from gru_lab.ui import classroom, lesson_builder, live, session, stop_view
from gru_lab.ui import lesson as ui
from gru_lab.ui.lesson import plain
from gru_lab.ui.sidebar import current

s = current()


@st.fragment
def lesson_stop(s) -> None:
    """The stop. Back, Next, Reveal, a vote, a teacher's move and a student's follow rerun only this, not
    the app's sidebar, link checks and lesson builder: 15 ms of server time a run instead of 20."""
    try:
        _stop(s)
    except StoreDown as err:  # the class store went away during this run: said, and tried again
        live.outage(err)


def _stop(s) -> None:
    seat = live.seat()  # this tab in a live class (teacher or student); a new student gets the join form here
    if live.presenting(seat):  # the teacher's own screen, not the projector's
        live.presenter(seat, s)
        return
    in_class = classroom.active()
    lesson, source, bad_key, problem = (live.lesson_of(seat.state), "class", "", "") if seat else ui.active()
    K = len(lesson.stops)
    n = ui.stop_number()
    st.html(ui.COMPACT_CSS)  # one screen a stop: less space above and around the title
    head, back, progress, forward = st.columns([3, 1, 3, 1], vertical_alignment="center")
    head.title("Guided lesson")
    if problem:  # named in the app's link notice, like every setting a link gets wrong
        ui.refuse(bad_key, f"**{ui.LABELS[bad_key]}** (`{bad_key}`) cannot be used: {plain(problem)}; the built-in "
                           "lesson is shown")
    if n > K:
        ui.refuse("stop", f"**Lesson stop** (`stop`) = `{n}` is past the end: this lesson has {K} stops (1 to {K}), "
                          "so stop 1 is shown")
        n = 1
    if seat:
        seat, n = live.step(seat, n)  # a teacher's tab shows the class's stop; a student the teacher's
    stop = lesson.stops[n - 1]
    lid = ui.lesson_id(lesson)
    student = seat is not None and not seat.teacher
    last = min(K, seat.state.stop) if student else K  # a student may go back, not past the teacher
    move, moved = (live.move, lambda k: (seat, k)) if seat else (ui.go_to, lambda k: (k,))
    ended = seat is not None and seat.teacher and seat.state.ended
    # Predict, then see: until the reveal the note asks, the view holds back what answers it, and the
    # explanation (`after`) waits. A stop without a question shows everything.
    revealed = stop.question is None or (live.revealed(seat, n) if seat else ui.revealed(lid, n))

    if not in_class:  # on a projector the stop needs the line more than the lesson's title
        head.caption(plain(lesson.title))
    back.button("Back", key="lesson_back", icon=":material/arrow_back:", disabled=n <= 1 or ended, on_click=move,
                args=moved(n - 1), width="stretch")
    progress.progress(n / K, text=f"Stop {n} of {K}")
    forward.button("Next", key="lesson_next", icon=":material/arrow_forward:", disabled=n >= last or ended,
                   on_click=move, args=moved(n + 1), width="stretch")
    if seat:
        live.bar(seat, n, s)

    # A place of its own for each stop: nothing of one stop stays under the next (see _own_place).
    # The phase too: a shown split or a reveal redraws the question, and a round 2 takes the split away.
    phase = (seat.state.round, seat.state.shown, seat.state.ended) if seat and n == seat.state.stop else ()
    with _own_place((lid, n, revealed, *phase)):
        # A chart or viewer stop: the note across the page, then the question beside the view. A wide view
        # (the three matrices) off a projector: the note beside the question, the view under both; on a
        # projector (the full width) the matrices fit beside the question, and the stop fits one screen.
        # On a phone Streamlit stacks the columns: note, question, then the view.
        wide_view = stop.page == "saturation" and not in_class
        if wide_view:
            text, asked = st.columns(2, gap="large")
        else:
            text = st.container()
        with text:
            st.subheader(plain(stop.title))
            st.markdown(plain(stop.note))
        if wide_view:
            view = st.container()
        else:
            asked, view = st.columns([2, 3], gap="large")
        with asked:
            if stop.question is not None and seat:
                live.question(seat, stop, s, n)
            elif stop.question is not None:
                ui.question(stop, s, lid, n)
        with view:
            stop_view.draw(stop, s, revealed)
            if seat and seat.teacher and revealed:  # under the view, where the projector has room
                ui.explore_link(stop, in_class, demo=True)  # a class's teacher demonstrates, every setting unlocked
        # The last row, alone: where to go from the stop. "Explore this view" opens the full page, which answers
        # the question: after the reveal only. A phone in a class has none of it: it stays with the class.
        if seat is None:
            explore, share, start, leave = st.columns(4, vertical_alignment="center")
            if revealed:
                with explore:  # a link's reader keeps the lesson's own locks
                    ui.explore_link(stop, in_class)
            with share:
                ui.share(lesson, source, n, in_class, s)
            with start:
                live.start_button(lesson, n, ui.carried(s))
            with leave:
                classroom.leave_button()
    if source not in ("built-in", "class"):
        st.button("Back to the built-in lesson", key="lesson_built_in", on_click=ui.built_in,
                  icon=":material/school:")


def _own_place(stop: tuple):
    """A container for the stop that starts empty in the browser whenever the stop changed.

    A fragment's run drops the elements it no longer draws only when its "finished" message reaches the
    browser as such. When another fragment's run (the tally's or the head count's run_every) starts before
    that message is sent, Streamlit sends it as "finished early for rerun", and the browser keeps them: the
    last stop's tally under the next question. A container keeps its children in the browser whatever its
    key; an element put in its place does not. So a new stop is drawn in the other of two places, and the
    one it leaves is emptied in the same run.
    """
    last, side = session.get(session.LESSON_PLACE, (None, 0))
    side = side if last == stop else 1 - side
    session.put(session.LESSON_PLACE, (stop, side))
    places = (st.empty(), st.empty())
    return places[side].container()


lesson_stop(s)
if not classroom.active():  # classroom mode shows the lesson only
    lesson_builder.builder()
