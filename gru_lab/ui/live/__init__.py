"""A live class on the lesson page (issue 21): the teacher leads, the room follows and votes.

- `seat()`: who this tab is in the class named by the address's `class=<code>`: the teacher (the
  control token: from the session, the tab's cookie, or once from a `teacher=` link, which is then
  taken out of the address), a student (their id: session or cookie), or nobody yet (the join form).
- `bar()`: the class's line above the stop, the browser half (cookies, the poll, the copy button),
  and for the teacher the projector's join panel (code, QR code, students' link).
- `question()`: the stop's question in a class: a student's vote, the teacher's live tally, Reveal,
  a second round, and the answer with who was right.
The class itself lives in `gru_lab.classes` (a store shared by every replica); its text is plain:
codes and nicknames are checked there, and shown here as text only.
"""
from __future__ import annotations

from .seat import Seat, lesson_of, outage, seat, start_button
from .teacher import bar, browse, question, step

__all__ = ["Seat", "bar", "browse", "lesson_of", "outage", "question", "seat", "start_button", "step"]
