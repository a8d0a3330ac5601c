"""Helpers for driving GRU Lab with Streamlit's AppTest (no browser).

AppTest renders one page per run. A real visitor who opens ``/step?H=16&t=5`` gets a *first* run on
the step page with that query string, and that is what `open_page` reproduces: it tells AppTest,
before the first run, the page hash ``st.navigation`` registers for the page (learnt once from a
probe run), so the first run seeds every bound widget from the URL. Switching pages after a first
run would not do: the sidebar widgets would already exist and ignore the URL.

AppTest does not play the browser's part of ``bind="query-params"``: when a user moves a widget the
*frontend* writes the new value into the address bar. `browser_set` does both halves (widget value
and address bar), so reruns see what a browser would send.
"""
from __future__ import annotations

import base64
import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "lab.py"  # the page script (app.py serves it with the class route)
PAGES = {
    "home": "app_pages/home.py",
    "step": "app_pages/step_through.py",
    "saturation": "app_pages/saturation_lab.py",
    "vanishing": "app_pages/vanishing.py",
    "train": "app_pages/train.py",
    "lstm": "app_pages/gru_vs_lstm.py",
}
TITLES = {
    "home": "GRU Lab",
    "step": "Step through a sequence",
    "saturation": "Saturation lab",
    "vanishing": "Vanishing gradients: GRU vs vanilla RNN",
    "train": "Train it live",
    "lstm": "GRU vs LSTM",
}
CHARTS = {
    "home": set(),
    "step": set(),  # the step page draws in the browser: its data is the viewer's payload (`viewer`)
    "saturation": {"sat_matrices", "sat_frozen", "sat_diff", "sat_singular", "sat_chain"},
    "vanishing": {"chains", "deltas", "story_chains"},
}
WIDGET_KINDS = ("select_slider", "selectbox", "number_input", "slider", "radio", "text_area", "button",
                "download_button")
TIMEOUT = 60


_SHARED: dict = {}


def new_app() -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    # Speed only: every new AppTest scans all installed packages for custom components (~0.4 s);
    # GRU Lab's one component (the step viewer) is declared inline, so later instances reuse the
    # first instance's registry.
    if _SHARED.get("components") is not None:
        at._bidi_component_manager = _SHARED["components"]
    return at


def _remember_components(at: AppTest) -> None:
    _SHARED.setdefault("components", getattr(at, "_bidi_component_manager", None))


def registered_pages() -> dict:
    """The pages st.navigation registers (hash → info), from one run of the home page."""
    probe = new_app()
    probe.run()
    _remember_components(probe)
    assert not probe.exception, [e.value for e in probe.exception]
    pages = dict(probe._registered_pages)  # AppTest keeps them to resolve switch_page()
    assert {info["url_pathname"] for info in pages.values()} == {"", "step", "saturation", "vanishing", "train", "lstm",
                                                                "lesson", "join"}
    return pages


def knows_pages(at: AppTest, pages: dict) -> AppTest:
    """Tell a fresh AppTest st.navigation's pages before its first run, so switch_page() resolves.

    One of the two private AppTest attributes this suite relies on; test_apptest_private_attributes
    is the canary that fails first if a Streamlit release renames them.
    """
    at._registered_pages = dict(pages)
    return at


def open_page(pages: dict, page: str, **params) -> AppTest:
    """A fresh session whose first run is `page` with these query parameters (all sent as strings)."""
    at = new_app()
    if page != "home":
        knows_pages(at, pages)
        at.switch_page(PAGES[page])
    at.query_params.update({k: v if isinstance(v, list) else str(v) for k, v in params.items()})
    at.run()
    if not at.exception:  # make sure AppTest really opened the page we asked for
        assert [t.value for t in at.title][:1] == [TITLES[page]], f"expected the {page} page"
    return at


def open_link(pages: dict, page_hash: str, query_string: str) -> AppTest:
    """Follow an st.page_link: a fresh session on that page hash with that query string."""
    script = Path(pages[page_hash]["script_path"]).resolve().relative_to(ROOT).as_posix()
    at = knows_pages(new_app(), pages)
    at.switch_page(script)
    at.query_params.update({k: v[-1] if len(v) == 1 else v
                            for k, v in parse_qs(query_string, keep_blank_values=True).items()})
    at.run()
    return at


# ---- reading what rendered ----------------------------------------------------------------------
def errors(at: AppTest) -> list[str]:
    return [e.value for e in at.error]


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


def exceptions(at: AppTest) -> list[str]:
    return [e.value for e in at.exception]


def assert_clean(at: AppTest, *, warn_ok: bool = False) -> None:
    """No exception, no st.error and (unless allowed) no st.warning."""
    assert exceptions(at) == [], exceptions(at)
    assert errors(at) == [], errors(at)
    if not warn_ok:
        assert warnings(at) == [], warnings(at)


def widget(at: AppTest, key: str):
    for kind in WIDGET_KINDS:
        for w in at.get(kind):
            if getattr(w, "key", None) == key:
                return w
    raise KeyError(f"no widget with key {key!r}")


def widget_keys(at: AppTest) -> set[str]:
    return {w.key for kind in WIDGET_KINDS for w in at.get(kind) if getattr(w, "key", None)}


def values(at: AppTest, keys) -> dict:
    return {k: widget(at, k).value for k in keys}


def figures(at: AppTest) -> dict[str, dict]:
    """Every Plotly chart's figure JSON, by the element key the page gave it."""
    out = {}
    for el in at.get("plotly_chart"):
        assert el.key, "every chart in GRU Lab has a key"
        out[el.key] = json.loads(el.proto.spec)
    return out


def viewer(at: AppTest, key: str = "viewer") -> dict:
    """The data the step page hands its browser-side viewer (gru_lab.viewer.viewer_data's payload,
    with "start" = [t, unit, counter], where the viewer opens)."""
    found = [e for e in at.get("bidi_component") if getattr(e, "key", None) == key]
    assert len(found) == 1, f"expected one viewer {key!r}, found {len(found)}"
    return json.loads(found[0].proto.json)


def has_viewer(at: AppTest, key: str = "viewer") -> bool:
    """Is the step page's viewer drawn on this run (not when the input or the weights are unusable)?"""
    return any(getattr(e, "key", None) == key for e in at.get("bidi_component"))


def drawn(at: AppTest) -> dict[str, dict]:
    """What the page draws: its Plotly figures by key, and the step page's viewer payload as "viewer"."""
    out = figures(at)
    if has_viewer(at):
        out["viewer"] = viewer(at)
    return out


def viewer_at(at: AppTest) -> tuple[int, int]:
    """(step, unit) the browser's viewer shows after this run: where the page last told it to go (its
    start), unless it has moved since (move_viewer) and no run has told it to go anywhere new."""
    data = viewer(at)
    t, unit, counter = data["start"]
    moved = getattr(at, "_viewer_moved", None)
    if moved is not None and moved[2] == counter:  # a viewer cannot step past its record's ends
        return min(max(moved[0], 1), data["T"]), min(max(moved[1], 0), data["H"] - 1)
    return t, unit


def viewer_array(at: AppTest, name: str) -> np.ndarray:
    """One of the viewer's arrays (x, h0, z, r, n, h, …) as floats, rounded as the viewer shows them."""
    from gru_lab.viewer import unpack
    return unpack(viewer(at)["arrays"][name])


def move_viewer(at: AppTest, t: int, unit: int) -> AppTest:
    """What the browser does when stepping pauses at (t, unit): the viewer writes it into the address,
    which the page's next run reads. AppTest cannot drive a custom component, so this plays the
    address (the e2e suite covers the component itself); rerun."""
    at._viewer_moved = (t, unit, viewer(at)["start"][2])  # the browser's viewer is there now
    at.query_params.update(t=str(t), unit=str(unit))
    return at.run()


def jacobians(figs: dict) -> dict:
    """The saturation page's three Jacobian panels (exact, frozen gates, difference) as one figure."""
    return {"data": [d for k in ("sat_matrices", "sat_frozen", "sat_diff") for d in figs[k]["data"]]}


def figure(at: AppTest, key: str) -> dict:
    figs = figures(at)
    assert key in figs, f"no chart {key!r}; charts: {sorted(figs)}"
    return figs[key]


def decode(value) -> np.ndarray:
    """Plotly ≥ 6 sends numeric arrays as base64 typed arrays ({dtype, bdata, shape}); lists stay lists."""
    if isinstance(value, dict) and "bdata" in value:
        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            arr = arr.reshape([int(s) for s in str(value["shape"]).split(",")])
        return arr
    if isinstance(value, list) and value and all(isinstance(v, dict) and "bdata" in v for v in value):
        return np.stack([decode(v) for v in value])
    return np.asarray(value)


def trace(fig: dict, name: str) -> dict:
    matches = [d for d in fig["data"] if d.get("name") == name]
    assert len(matches) == 1, f"trace {name!r} not found once in {[d.get('name') for d in fig['data']]}"
    return matches[0]


def trace_arrays(fig: dict) -> list[np.ndarray]:
    """The numbers each trace draws (z for heatmaps, y otherwise, marker colours for coloured markers)."""
    out = []
    for d in fig["data"]:
        for field in ("z", "y", "x"):
            if field in d:
                out.append(decode(d[field]).astype(float) if _numeric(d[field]) else np.asarray(d[field]))
                break
        color = d.get("marker", {}).get("color")
        if color is not None and not isinstance(color, str):
            out.append(decode(color).astype(float))
    return out


def _numeric(v) -> bool:
    arr = decode(v)
    return arr.dtype.kind in "fiub" or (arr.dtype == object and all(
        isinstance(x, (int, float)) or x is None for x in np.ravel(arr)))


def same_data(a: dict, b: dict) -> bool:
    """Do two figures draw the same numbers (NaN equal to NaN)?"""
    xa, xb = trace_arrays(a), trace_arrays(b)
    if len(xa) != len(xb):
        return False
    for u, v in zip(xa, xb, strict=True):
        if u.shape != v.shape:
            return False
        if u.dtype.kind == "f" and v.dtype.kind == "f":
            if not np.array_equal(u, v, equal_nan=True):
                return False
        elif not np.array_equal(u, v):
            return False
    return True


def share_link(at: AppTest) -> tuple[str, dict[str, str]]:
    """The 'Link for students' address the page shows: (path, query parameters). On the step page it is
    a live box (gru_lab/ui/live_link): the server's link, which the browser updates with the viewer's t
    and unit from the address; AppTest runs no browser, so this is the server's link."""
    codes = [c.value for c in at.code]
    codes += [json.loads(e.proto.json)["link"] for e in at.get("bidi_component")
              if str(getattr(e, "key", "")).endswith("_live_link")]
    assert len(codes) == 1, codes
    parts = urlsplit(codes[0])
    return parts.path, {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}


# ---- acting like a browser ----------------------------------------------------------------------
def set_widget(at: AppTest, key: str, value) -> None:
    """Change a widget the way a user would (no rerun)."""
    w = widget(at, key)
    kind = w.type
    if kind == "selectbox":
        w.select(value)
    elif kind == "text_area":
        w.input(value)
    elif kind in ("button", "download_button"):
        w.click()
    else:
        w.set_value(value)


def browser_set(at: AppTest, key: str, value, url_value: str) -> AppTest:
    """Change a widget and write its URL value into the address bar as the frontend does; rerun."""
    set_widget(at, key, value)
    at.query_params[key] = url_value
    return at.run()


def cell_node(fig: dict, title: str) -> np.ndarray:
    """The values the cell diagram shows for one node ("x(t)", "update z", …), one per square.

    Each node is a one-row heatmap named after it, its squares coloured by the shown units' values.
    """
    return decode(trace(fig, title)["z"]).astype(float).ravel()


# ---- the guided lesson (tests/app/test_lesson.py) -----------------------------------------------
PAGES["lesson"] = "app_pages/lesson.py"
TITLES["lesson"] = "Guided lesson"
PAGES["join"] = "app_pages/join.py"  # the short join address of a live class (tests/app/test_join_page.py)
TITLES["join"] = "Join a class"


def lesson_verdicts(at: AppTest) -> list[str]:
    """What "Reveal the answer" said: the success or info boxes that start with a verdict."""
    starts = ("Right.", "Not quite", "You did not pick")
    return [e.value for kind in ("success", "info") for e in at.get(kind) if str(e.value).startswith(starts)]


def open_lesson(pages: dict, update: str = "keep", **params) -> AppTest:
    """/lesson?<params> in a session whose sidebar was set to `update` on the home page first, as a
    student who chose a convention and then opened the lesson (its page has no sidebar settings)."""
    at = open_page(pages, "home", update=update)
    knows_pages(at, pages)
    at.switch_page(PAGES["lesson"])
    at.query_params.clear()
    at.query_params.update({k: str(v) for k, v in params.items()})
    return at.run()


def lesson_answer_radio(at: AppTest):
    """The stop's question (its key names the lesson and the stop)."""
    found = [r for r in at.radio if str(r.key).startswith("lesson_answer_")]
    assert len(found) == 1, [r.key for r in at.radio]
    return found[0]
