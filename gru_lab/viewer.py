"""The step-through viewer's data: one recorded pass, packed once for the browser, which then draws
every step itself (gru_lab/ui/viewer/viewer.js). Pure: no Streamlit here.

Every number is sent as an integer count of 10^-digits, exactly the value Python's own f"{v:.3f}"
prints, so the viewer's equations read the same as `text.unit_equations`. The arrays travel as
base64 of little-endian int16 (int32 when a value does not fit), about 2.7 bytes a number against
8 or more as JSON text: at H = 128, T = 500 the payload is about 1.7 MB.

`offline_html` wraps the same viewer and data into one self-contained HTML file; `offline_bytes`
is that file encoded, built once per payload, title and position and kept in a small cache.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
from functools import lru_cache
from pathlib import Path

import numpy as np

from gru_core import GRURecord

from .figures.colors import NEGATIVE, NEUTRAL, QUANTITY, SIGNED
from .records import NAMES, kind, quantities

FORMAT = 1  # bump when the payload's layout changes; viewer.js checks it
DIGITS = 3  # the equations' precision (text.unit_equations prints .3f)
ASSETS = Path(__file__).resolve().parent / "ui" / "viewer"
EXPORT_LINE = "export default mount;"  # the JS module's last line; the offline file calls mount itself


def fixed(v: np.ndarray, digits: int = DIGITS) -> np.ndarray:
    """round(v · 10^digits) as int64, equal to what f"{v:.{digits}f}" prints.

    v · 10^digits carries its own rounding error, which can move a value sitting next to a half
    across it; those few are redone with Python's correctly rounded formatting.
    """
    v = np.asarray(v, dtype=float)
    scaled = v * 10.0 ** digits
    q = np.rint(scaled)
    flat, vf = q.reshape(-1), v.reshape(-1)
    for i in np.flatnonzero(np.abs(np.abs(scaled - np.floor(scaled)) - 0.5).reshape(-1) < 1e-6):
        flat[i] = round(float(f"{vf[i]:.{digits}f}") * 10 ** digits)
    return q.astype(np.int64)


def pack(v: np.ndarray, digits: int = DIGITS) -> dict:
    """One array as {"dtype", "shape", "data"}: base64 of its fixed-point integers."""
    q = fixed(v, digits)
    big = q.size and np.abs(q).max() > np.iinfo(np.int16).max
    dtype = "<i4" if big else "<i2"
    if big and np.abs(q).max() > np.iinfo(np.int32).max:
        raise ValueError(f"a value of {float(np.abs(v).max()):.3g} is too large to show")
    return {"dtype": "i4" if big else "i2", "shape": list(q.shape),
            "data": base64.b64encode(q.astype(dtype).tobytes()).decode("ascii")}


def unpack(a: dict, digits: int = DIGITS) -> np.ndarray:
    """The inverse of `pack`, as floats (for tests and for anyone reading a saved file)."""
    raw = np.frombuffer(base64.b64decode(a["data"]), dtype="<i4" if a["dtype"] == "i4" else "<i2")
    return raw.reshape(a["shape"]) / 10.0 ** digits


def preactivations(rec: GRURecord) -> dict[str, np.ndarray]:
    """The sums inside the gates, each (T, H): W_ir x + b_ir ("ir"), W_hr h_prev + b_hr ("hr"), and so on."""
    m = rec.model
    H = m.hidden_size
    gi = rec.x @ m.params.W_ih.T + m.params.b_ih  # (T, 3H): input side, blocks r, z, n
    gh = rec.h_prev @ m.params.W_hh[:2 * H].T + m.params.b_hh[:2 * H]
    return {"ir": gi[:, :H], "iz": gi[:, H:2 * H], "in": gi[:, 2 * H:], "hr": gh[:, :H], "hz": gh[:, H:]}


def changed_most(rec, k: int = 3) -> tuple[int, ...]:
    """The k steps (0-based) where the hidden state moved most, ‖h_t − h_(t−1)‖: candidates for key steps."""
    moved = np.linalg.norm(rec.h - rec.h_prev, axis=1)
    return tuple(sorted(int(t) for t in np.argsort(-moved, kind="stable")[:k]))


def viewer_data(rec, labels, key_steps=(), update: str | None = None, reset_after: bool | None = None,
                title: str = "", digits: int = DIGITS) -> dict:
    """The JSON-able payload the viewer draws from.

    rec: a GRU, RNN or LSTM record (the diagram and equations are drawn for GRUs; every kind gets
    heatmaps and the table). labels: one per step. key_steps: 0-based steps to label on the
    heatmaps. update / reset_after: the conventions the page says it shows; they must be the
    model's own (None: take the model's), since the equations are the model's.
    """
    T, H = rec.h.shape
    labels = [str(w) for w in labels]
    if len(labels) != T:
        raise ValueError(f"labels must have one entry per step: {T}, got {len(labels)}")
    keys = sorted({int(t) for t in key_steps})
    if keys and not (0 <= keys[0] and keys[-1] < T):
        raise ValueError(f"key_steps must be steps 0 … {T - 1}; got {keys}")
    values = quantities(rec)
    arrays = {"x": rec.x, "h0": rec.h0, **values}
    out = {"format": FORMAT, "kind": kind(rec), "T": T, "H": H, "I": int(rec.x.shape[1]), "digits": digits,
           "title": str(title), "labels": labels, "key_steps": keys, "order": list(values),
           "names": {q: NAMES[q] for q in values}, "signed": [q for q in values if q in SIGNED],
           "colors": {**{q: QUANTITY[q] for q in values}, "x": QUANTITY["x"], "neg": NEGATIVE, "mid": NEUTRAL,
                      "mark": QUANTITY["grad"]}}
    if isinstance(rec, GRURecord):
        m = rec.model
        for name, given, own in (("update", update, m.update), ("reset_after", reset_after, m.reset_after)):
            if given is not None and given != own:
                raise ValueError(f"{name}={given!r} but the model computes with {name}={own!r}")
        out.update(update=m.update, reset_after=bool(m.reset_after),
                   pinned={"z": bool(rec.z_pinned), "r": bool(rec.r_pinned)})
        arrays.update(a=rec.a, **preactivations(rec))
    out["arrays"] = {name: pack(v, digits) for name, v in arrays.items()}
    digest = hashlib.blake2b(digest_size=8)
    digest.update(json.dumps(out, sort_keys=True).encode())
    out["id"] = digest.hexdigest()  # the viewer keeps its step across reruns that resend the same data
    return out


def cut(data: dict, k: int) -> dict:
    """The payload's first k steps only: a lesson question's view before the reveal shows the steps before
    the one it asks about, and the browser holds nothing of the later ones. The values are the full
    pass's own (a GRU step depends only on the steps before it)."""
    T = data["T"]
    if not 1 <= k <= T:
        raise ValueError(f"a cut keeps 1 to {T} steps; got {k}")
    out = {**data, "T": k, "labels": data["labels"][:k], "key_steps": [t for t in data["key_steps"] if t < k],
           "arrays": {name: a if name == "h0" else _head(a, k) for name, a in data["arrays"].items()}}
    out.pop("id", None)
    digest = hashlib.blake2b(digest_size=8)
    digest.update(json.dumps(out, sort_keys=True).encode())
    out["id"] = digest.hexdigest()
    return out


def _head(a: dict, k: int) -> dict:
    raw = np.frombuffer(base64.b64decode(a["data"]), dtype="<i4" if a["dtype"] == "i4" else "<i2")
    head = raw.reshape(a["shape"])[:k]
    return {**a, "shape": list(head.shape), "data": base64.b64encode(np.ascontiguousarray(head).tobytes()).decode()}


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def script_json(data) -> str:
    """JSON safe inside <script type="application/json">: no '<' at all, so no '</script>' or '<!--'."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


OFFLINE_CSS = """
:root { --st-text-color: #31333F; --st-background-color: #FFFFFF; --st-secondary-background-color: #F0F2F6;
        --st-border-color: rgba(49, 51, 63, 0.2); --st-primary-color: #FF4B4B; color-scheme: light dark; }
@media (prefers-color-scheme: dark) {
  :root { --st-text-color: #FAFAFA; --st-background-color: #0E1117; --st-secondary-background-color: #262730;
          --st-border-color: rgba(250, 250, 250, 0.2); }
}
body { margin: 0; background: var(--st-background-color); color: var(--st-text-color);
       font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 1200px; margin: 0 auto; padding: 12px; }
h1 { font-size: 1.4rem; margin: 0.2rem 0 0.6rem; }
.gv-foot { font-size: 0.8rem; opacity: 0.75; margin-top: 1rem; }
"""


@lru_cache(maxsize=64)  # a few titles (one per preset), read from the asset files once
def offline_parts(title: str = "GRU Lab: step through a sequence") -> tuple[str, str]:
    """The offline file around its data: `head + script_json(data) + tail` is the whole file. The step
    page's viewer builds the file in the browser from these, at the step it is on.

    User text (the title, word labels) only ever enters as escaped text: the title through
    html.escape, the labels inside the JSON, which the script reads with JSON.parse and shows
    with textContent. The content security policy forbids loading anything from anywhere.
    """
    js = _asset("viewer.js")
    if EXPORT_LINE not in js:
        raise RuntimeError(f"viewer.js must end with {EXPORT_LINE!r}")
    js = js.replace(EXPORT_LINE, "mountOffline(document.getElementById('gv-host'), "
                                 "JSON.parse(document.getElementById('gv-data').textContent));")
    csp = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
    head = (
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<meta http-equiv=\"Content-Security-Policy\" content=\"{csp}\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{html.escape(title)}</title>\n<style>{OFFLINE_CSS}\n{_asset('viewer.css')}</style>\n</head>\n"
        f"<body>\n<main>\n<h1>{html.escape(title)}</h1>\n<div id=\"gv-host\">{_asset('viewer.html')}</div>\n"
        "<p class=\"gv-foot\">Made with GRU Lab. Everything is in this one file: it works offline. "
        "Keys: ← and → step, space plays and pauses.</p>\n</main>\n"
        "<script type=\"application/json\" id=\"gv-data\">"
    )
    return head, f"</script>\n<script>\n{js}\n</script>\n</body>\n</html>\n"


def offline_html(data: dict, title: str = "GRU Lab: step through a sequence", t: int = 1, unit: int = 0) -> str:
    """The viewer and its data as one HTML file that opens from disk with no network, at step t
    (1-based) and unit; an address ending in #t=…&unit=… opens it elsewhere (see `offline_parts`)."""
    head, tail = offline_parts(title)
    return head + script_json({**data, "start": [t, unit]}) + tail
