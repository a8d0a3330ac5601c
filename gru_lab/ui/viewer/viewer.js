// GRU Lab's step-through viewer. It receives one recorded pass (gru_lab/viewer.py: viewer_data) and
// draws every step in the browser: the cell diagram, the equations, the heatmaps' markers and the
// table row all come from one function, show(), so they cannot disagree.
// Streamlit imports this file as an ES module and calls the default export on every rerun; the
// offline HTML file inlines it without the export line and calls mountOffline() instead.

const SVG = "http://www.w3.org/2000/svg";
const MINUS = "\u2212";
const WINDOW = { wide: 17, narrow: 11 }; // units drawn in the diagram's strips and in the table
const NARROW_PX = 560; // below this width the diagram gets narrower boxes and the heatmaps lose their side labels
const SIDE_BY_SIDE_PX = 1000; // from this width on, the equations sit beside the diagram instead of under it
const SETTLE_MS = 600; // stepping counts as paused after this long without a move: then report once
const MAP_PX = { perUnit: 10, min: 60, max: 150 }; // heatmap height: 10 px a unit, within [60, 150]

// ---- small helpers ------------------------------------------------------------------------------
function setAttrs(e, attrs) {
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, v);
  return e;
}
// Children are appended as nodes or text nodes: user text (word labels) never goes through innerHTML.
const h = (tag, attrs = {}, ...kids) => { const e = setAttrs(document.createElement(tag), attrs); e.append(...kids); return e; };
const s = (tag, attrs = {}, ...kids) => { const e = setAttrs(document.createElementNS(SVG, tag), attrs); e.append(...kids); return e; };
const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
const maxAbs = (a) => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const short = (text, n) => (text.length > n ? text.slice(0, n - 1) + "…" : text);

// Our own formula strings mark subscripts as x_{...}; these turn them into <i>x</i><sub>…</sub>.
const RICH = /(\p{L})_\{([^}]*)\}/gu;
function rich(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(RICH)) {
    out.push(text.slice(last, m.index), h("i", {}, m[1]), h("sub", {}, m[2]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}
function svgRich(text) { // the same in SVG: a lowered, smaller tspan (dy works in every browser)
  const out = [];
  let last = 0;
  for (const m of text.matchAll(RICH)) {
    out.push(text.slice(last, m.index), s("tspan", { "font-style": "italic" }, m[1]),
      s("tspan", { dy: 4, "font-size": "0.75em" }, m[2]), s("tspan", { dy: -4 }, ""));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

// Numbers arrive as integers q = round(v · 10^digits); printing them needs no float rounding at all.
function fmt(q, d) {
  let t = String(Math.abs(q)).padStart(d + 1, "0");
  if (d) t = t.slice(0, -d) + "." + t.slice(-d);
  return (q < 0 ? MINUS : "") + t;
}
const signed = (q, d) => (q < 0 ? MINUS + " " : "+ ") + fmt(Math.abs(q), d);
const paren = (q, d) => (q < 0 ? `(${fmt(q, d)})` : fmt(q, d));

function decode(arrays) {
  const A = {};
  for (const [k, a] of Object.entries(arrays)) {
    const bin = atob(a.data);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    // Packed little-endian; typed arrays use the machine's order, little-endian on every browser platform.
    A[k] = a.dtype === "i4" ? new Int32Array(bytes.buffer) : new Int16Array(bytes.buffer);
  }
  return A;
}

const rgb = (c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16));
const mix = (a, b, f) => a.map((v, i) => Math.round(v + (b[i] - v) * f));

// ---- the convention-dependent words -------------------------------------------------------------
const SYMBOLIC = {
  r: "r_{t} = σ(W_{ir} x_{t} + b_{ir} + W_{hr} h_{t−1} + b_{hr})",
  z: "z_{t} = σ(W_{iz} x_{t} + b_{iz} + W_{hz} h_{t−1} + b_{hz})",
  nAfter: "n_{t} = tanh(W_{in} x_{t} + b_{in} + r_{t} ⊙ (W_{hn} h_{t−1} + b_{hn}))",
  nBefore: "n_{t} = tanh(W_{in} x_{t} + b_{in} + W_{hn}(r_{t} ⊙ h_{t−1}) + b_{hn})",
  hKeep: "h_{t} = z_{t} ⊙ h_{t−1} + (1 − z_{t}) ⊙ n_{t}",
  hTake: "h_{t} = (1 − z_{t}) ⊙ h_{t−1} + z_{t} ⊙ n_{t}",
};
const TITLES = { hp: "h_{t−1} previous", x: "x_{t} input", z: "z_{t} update σ", r: "r_{t} reset σ",
  n: "n_{t} candidate", h: "h_{t} new state" };
const SHORT_TITLES = { hp: "h_{t−1}", x: "x_{t}", z: "z_{t} update", r: "r_{t} reset", n: "n_{t} cand.", h: "h_{t} new" };

class Viewer {
  constructor(root) {
    this.root = root;
    this.el = (c) => root.querySelector(c);
    Object.assign(this, { t: 0, unit: 0, playing: false, timer: null, settleTimer: null, id: null, start: null,
      reported: null, known: null, narrow: null, report: () => {}, sync: null });
    this.wire();
    // Before the reader turns to anything else on the page, tell the server where the viewer is, once.
    const away = (ev) => this.turnAway(ev);
    document.addEventListener("pointerdown", away, true);
    document.addEventListener("keydown", away, true);
    new ResizeObserver(() => this.layout()).observe(root);
  }

  // -- data in: a new payload rebuilds; the same payload again (a rerun) keeps the step shown --
  load(d, report, sync = null) {
    if (d.format !== 1) throw new Error(`viewer data format ${d.format}, this viewer reads 1`);
    this.report = report;
    this.sync = sync;
    this.offline = d.offline || null; // {parts: [head, tail], file}: "Download this view as HTML"
    this.el(".gv-tools").hidden = !this.offline;
    this.root.classList.toggle("gv-compact", Boolean(d.compact)); // a lesson stop: the diagram and equations only
    // A projected lesson stop (classroom mode): the diagram alone, sized to the screen, in back-row type.
    this.root.classList.toggle("gv-projector", Boolean(d.projector));
    const start = JSON.stringify(d.start || null);
    if (d.id === this.id && start === this.start) { this.drawMarks(); return; } // e.g. a theme change
    if (d.id !== this.id) {
      Object.assign(this, { d, A: decode(d.arrays), id: d.id, T: d.T, H: d.H, gru: d.kind === "GRU" });
      this.colors = Object.fromEntries(Object.entries(d.colors).map(([k, c]) => [k, rgb(c)]));
      // unbounded quantities (the input, an LSTM's cell) are coloured relative to their largest value
      this.top = { x: Math.max(1, maxAbs(this.A.x)) / 10 ** d.digits };
      if (this.A.c) this.top.c = Math.max(10 ** d.digits, maxAbs(this.A.c)) / 10 ** d.digits;
      this.build();
    }
    this.start = start;
    const [t, unit] = d.start || [1, 0];
    this.reported = [clamp(t, 1, this.T), clamp(unit, 0, this.H - 1)];
    this.known = this.reported; // where the server put it
    this.show(t - 1, unit);
  }

  // value of quantity q at step t, unit j, as the fixed-point integer; "hp" is h_{t−1}
  val(q, t, j) {
    if (q === "hp") return t ? this.A.h[(t - 1) * this.H + j] : this.A.h0[j];
    return this.A[q][t * (q === "x" ? this.d.I : this.H) + j];
  }

  color(q, qv) {
    const c = this.colors, v = qv / 10 ** this.d.digits, key = q === "hp" ? "h" : q;
    const top = this.top[key] || 1;
    if (key === "x" || this.d.signed.includes(key)) {
      return v < 0 ? mix(c.mid, c.neg, Math.min(1, -v / top)) : mix(c.mid, c[key], Math.min(1, v / top));
    }
    return mix(c.mid, c[key], clamp(v, 0, 1));
  }
  css(q, qv) { const [r, g, b] = this.color(q, qv); return `rgb(${r},${g},${b})`; }

  // -- controls: wired once per root, they only ever call show() / play() --
  wire() {
    const e = this.el;
    e(".gv-prev").addEventListener("click", () => this.move(this.t - 1));
    e(".gv-next").addEventListener("click", () => this.move(this.t + 1));
    e(".gv-play").addEventListener("click", () => this.play(!this.playing));
    e(".gv-scrub").addEventListener("input", (ev) => this.move(Number(ev.target.value) - 1));
    e(".gv-unit").addEventListener("input", (ev) => {
      const j = Number(ev.target.value);
      if (Number.isInteger(j) && j >= 0 && j < this.H) this.show(this.t, j);
    });
    e(".gv-unit").addEventListener("change", () => { e(".gv-unit").value = this.unit; });
    e(".gv-speed").addEventListener("change", () => { if (this.playing) { this.play(false); this.play(true); } });
    this.root.addEventListener("keydown", (ev) => this.onKey(ev));
    e(".gv-table tbody").addEventListener("click", (ev) => {
      const row = ev.target.closest("tr");
      if (row) this.show(this.t, Number(row.dataset.unit));
    });
    e(".gv-diagram").addEventListener("click", (ev) => {
      const hit = ev.target.closest("[data-unit]");
      if (!hit) return;
      const box = hit.getBoundingClientRect(); // the overview bar: every unit side by side
      const j = hit.dataset.unit === "strip" ? Math.floor(clamp((ev.clientX - box.left) / box.width, 0, 0.9999) * this.H)
        : Number(hit.dataset.unit);
      this.show(this.t, j);
    });
    e(".gv-download").addEventListener("click", () => this.download());
  }

  // The offline file at the step and unit shown now: the server's two halves around this data (see
  // gru_lab/viewer.py offline_parts and script_json: no "<" inside the script element).
  download() {
    if (!this.offline) return;
    const { offline, address, compact, ...data } = this.d; // eslint-disable-line no-unused-vars
    const json = JSON.stringify({ ...data, start: [this.t + 1, this.unit] })
      .replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
    const [head, tail] = this.offline.parts;
    const url = URL.createObjectURL(new Blob([head, json, tail], { type: "text/html" }));
    const a = document.createElement("a");
    Object.assign(a, { href: url, download: this.offline.file, hidden: true });
    this.root.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }

  onKey(ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey || !this.T) return;
    const tag = ev.target.tagName;
    const field = tag === "INPUT" || tag === "SELECT" || tag === "TEXTAREA"; // they use these keys themselves
    const picture = tag === "CANVAS" || tag === "svg" || tag === "TR"; // the shown table row takes them too
    const moves = { ArrowLeft: -1, ArrowRight: 1 };
    if (ev.key in moves && !field) this.move(this.t + moves[ev.key]);
    else if ((ev.key === "Home" || ev.key === "End") && !field) this.move(ev.key === "Home" ? 0 : this.T - 1);
    else if (ev.key === " " && !field && tag !== "BUTTON") this.play(!this.playing);
    else if ((ev.key === "ArrowUp" || ev.key === "ArrowDown") && picture) {
      this.show(this.t, clamp(this.unit + (ev.key === "ArrowUp" ? -1 : 1), 0, this.H - 1));
    } else return;
    ev.preventDefault();
  }

  move(t) { this.play(false); this.show(t, this.unit); }

  play(on) {
    if (on === this.playing || (on && this.T < 2)) return;
    this.playing = on;
    clearInterval(this.timer);
    if (on) {
      if (this.t >= this.T - 1) this.show(0, this.unit); // Play from the end starts again
      const speed = Number(this.el(".gv-speed").value) || 2;
      this.timer = setInterval(() => {
        if (this.t >= this.T - 1) this.play(false);
        else this.show(this.t + 1, this.unit);
      }, 1000 / speed);
    }
    const b = this.el(".gv-play");
    b.setAttribute("aria-pressed", String(on));
    b.setAttribute("aria-label", on ? "Pause" : "Play");
    b.querySelector(".gv-play-text").textContent = on ? "Pause" : "Play";
    b.querySelector(".gv-play-icon").textContent = on ? "❚❚" : "▶";
    // a screen reader reading every step at 8 steps/s would never stop talking
    this.el(".gv-readout").setAttribute("aria-live", on ? "off" : "polite");
    if (!on) this.settle();
  }

  // Stepping has paused: report it once (the step page writes it into the address, so a reload, Back
  // and the link for students open here; the offline file writes it into its #hash).
  settle() {
    clearTimeout(this.settleTimer);
    if (this.playing) return;
    this.settleTimer = setTimeout(() => {
      const pos = [this.t + 1, this.unit];
      if (this.reported && pos[0] === this.reported[0] && pos[1] === this.reported[1]) return;
      this.reported = pos;
      this.report(pos);
    }, SETTLE_MS);
  }

  // A press or a key outside the viewer, after stepping: the page's next run must know where the viewer
  // is (Streamlit sends the address it last wrote, not the one the viewer keeps), so report it now.
  // Not for a link: it leaves the page (the address already holds the position for Back), and a run
  // started now would race the move to the other page.
  turnAway(ev) {
    if (!this.sync || !this.T || !this.root.isConnected) return;
    const path = ev.composedPath();
    if (path.includes(this.root) || path.some((e) => e.tagName === "A")) return;
    const pos = [this.t + 1, this.unit];
    if (this.known && pos[0] === this.known[0] && pos[1] === this.known[1]) return;
    this.known = pos;
    this.sync(pos);
  }

  // -- building, once per payload --
  build() {
    const { d, T, H, el } = this;
    el(".gv-scrub").max = T;
    el(".gv-scrub").disabled = T < 2;
    el(".gv-play").disabled = T < 2;
    el(".gv-unit").max = H - 1;
    el(".gv-main").hidden = !this.gru;
    el(".gv-note").hidden = this.gru;
    el(".gv-note").textContent = this.gru ? "" : `This is an ${d.kind}: the cell diagram and equations are drawn ` +
      "for GRUs; its gates and states are in the heatmaps below.";
    this.root.setAttribute("aria-label", `Step-through viewer${d.title ? ": " + d.title : ""}`);
    if (this.gru) this.buildEquations();
    this.buildMaps();
    this.narrow = null; // layout() then builds what depends on the width: diagram and table window
    this.layout();
  }

  layout() {
    if (!this.T) return;
    const narrow = this.root.clientWidth < NARROW_PX;
    this.root.classList.toggle("gv-stack", this.root.clientWidth < SIDE_BY_SIDE_PX);
    if (narrow !== this.narrow) {
      this.narrow = narrow;
      this.root.classList.toggle("gv-narrow", narrow);
      this.win = Math.min(this.H, narrow ? WINDOW.narrow : WINDOW.wide);
      if (this.gru) this.buildDiagram();
      this.buildTable();
    }
    this.drawMaps();
    this.show(this.t, this.unit);
  }

  buildEquations() {
    const { d } = this;
    const lines = [["r", SYMBOLIC.r], ["z", SYMBOLIC.z], ["n", d.reset_after ? SYMBOLIC.nAfter : SYMBOLIC.nBefore],
      ["h", d.update === "keep" ? SYMBOLIC.hKeep : SYMBOLIC.hTake]];
    const box = this.el(".gv-eqs");
    box.replaceChildren(...lines.map(([q, text]) => h("div", { class: "gv-eq", "data-q": q,
      style: `border-left-color: ${d.colors[q]}` }, h("div", { class: "gv-sym-line" }, ...rich(text)),
    h("div", { class: "gv-num-line" }))));
  }

  // The equations with unit j's numbers at step t, in the order and form of text.unit_equations.
  equations(t, j) {
    const v = (q) => this.val(q, t, j), f = (q) => fmt(v(q), this.d.digits), dg = this.d.digits;
    const one = 10 ** dg;
    const gate = (g, pre, rec) => (this.d.pinned[g] ? `${g}_{${j}} = ${f(g)} (pinned)`
      : `${g}_{${j}} = σ(${f(pre)} ${signed(v(rec), dg)}) = ${f(g)}`);
    const n = this.d.reset_after ? `n_{${j}} = tanh(${f("in")} + ${f("r")} · ${paren(v("a"), dg)}) = ${f("n")}`
      : `n_{${j}} = tanh(${f("in")} ${signed(v("a"), dg)}) = ${f("n")}`;
    const [kept, taken] = this.d.update === "keep" ? [v("z"), one - v("z")] : [one - v("z"), v("z")];
    const hl = `h_{${j}} = ${fmt(kept, dg)} · ${paren(v("hp"), dg)} + ${fmt(taken, dg)} · ${paren(v("n"), dg)} = ${f("h")}`;
    return { r: gate("r", "ir", "hr"), z: gate("z", "iz", "hz"), n, h: hl };
  }

  buildDiagram() {
    // Narrow screens get narrower boxes and lanes, so the scaled-down text stays readable.
    const narrow = this.narrow, BW = narrow ? 96 : 150, BH = 66, G = narrow ? 100 : 110, GR = G + BW;
    const L1 = GR + (narrow ? 40 : 60), L2 = L1 + (narrow ? 50 : 40), L3 = L2 + 40 + (narrow ? 0 : 10);
    const HX = L3 + (narrow ? 24 : 30), W = HX + BW + 10, HT = 504;
    const box = { hp: [10, 10], h: [HX, 10], z: [G, 118], r: [G, 218], n: [G, 350], x: [10, 430] };
    const RX = G + BW / 2, keep = this.d.update === "keep";
    const op = { reset: [RX, 318], o1: [L1, 43], plus: [L3, 43], o2: [L2, 383], minus: keep ? [L2, 265] : [L1, 100] };
    const svg = this.el(".gv-diagram");
    svg.setAttribute("viewBox", `0 0 ${W} ${HT}`);
    svg.style.maxWidth = `${W + 40}px`;
    const col = (q) => this.d.colors[q === "hp" ? "h" : q];
    const arrow = (q) => `url(#gv-arrow-${q === "hp" ? "h" : q})`;
    const defs = s("defs", {}, ...["h", "x", "z", "r", "n"].map((q) => s("marker", { id: `gv-arrow-${q}`,
      viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
    s("path", { d: "M0,0 L10,5 L0,10 z", fill: col(q) }))));
    // Edges as orthogonal polylines, routed in lanes between the boxes: no edge passes under a label.
    // x's bus is drawn first; h_{t−1}'s taps then cross it over a halo, so the crossing reads clearly.
    const edges = [];
    const edge = (q, pts, head = true) => edges.push([q, pts, head]);
    edge("x", [[55, 430], [55, 159], [G, 159]]);
    edge("x", [[55, 259], [G, 259]]);
    edge("x", [[55, 383], [G, 383]]);
    edge("hp", [[30, 76], [30, 318], [RX - 13, 318]]);
    edge("hp", [[30, 143], [G, 143]]);
    edge("hp", [[30, 243], [G, 243]]);
    edge("hp", [[10 + BW, 43], [L1 - 13, 43]]);
    edge("r", [[RX, 284], [RX, 305]]);
    edge("n", [[RX, 331], [RX, 350]]);
    edge("z", [[GR, 151], [L2, 151]], false);
    const [mx, my] = op.minus;
    if (keep) { // z goes straight up to z ⊙ h_{t−1}; 1 − z goes down to (1 − z) ⊙ n
      edge("z", [[L1, 151], [L1, 56]]);
      edge("z", [[L2, 151], [L2, my - 13]]);
      edge("z", [[L2, my + 13], [L2, 370]]);
    } else { // take: 1 − z goes up to (1 − z) ⊙ h_{t−1}; z goes down to z ⊙ n
      edge("z", [[L1, 151], [L1, my + 13]]);
      edge("z", [[L1, my - 13], [L1, 56]]);
      edge("z", [[L2, 151], [L2, 370]]);
    }
    edge("n", [[GR, 383], [L2 - 13, 383]]);
    edge("h", [[L1 + 13, 43], [L3 - 13, 43]]);
    edge("h", [[L2 + 13, 383], [L3, 383], [L3, 56]]);
    edge("h", [[L3 + 13, 43], [HX, 43]]);
    const pathD = (pts) => pts.map(([x, y], i) => `${i ? "L" : "M"}${x},${y}`).join(" ");
    const lines = edges.flatMap(([q, pts, head]) => [q === "hp" ? s("path", { class: "gv-halo", d: pathD(pts) }) : "",
      s("path", { class: "gv-edge", d: pathD(pts), stroke: col(q), "marker-end": head ? arrow(q) : null })]);
    const dot = (x, y, q) => s("circle", { cx: x, cy: y, r: 3, fill: col(q) });
    const dots = [dot(30, 143, "hp"), dot(30, 243, "hp"), dot(55, 259, "x"), dot(55, 383, "x"), dot(L1, 151, "z")];
    // Operation nodes: ⊙ and + as circles; the reset's product is labelled with what it multiplies.
    const opNode = (key, sym, label) => {
      const [x, y] = op[key];
      return s("g", { class: `gv-opnode gv-op-${key}` }, s("title", {}, label), s("circle", { class: "gv-op", cx: x,
        cy: y, r: 12 }), s("text", { class: "gv-sym", x, y: y + 5, "text-anchor": "middle" }, sym));
    };
    const resetText = this.d.reset_after ? "r ⊙ (W_{hn} h + b_{hn})" : "W_{hn} (r ⊙ h) + b_{hn}";
    const ops = [opNode("reset", "⊙", this.d.reset_after ? "reset r times (W_hn h(t−1) + b_hn)" : "reset r times h(t−1)"),
      s("text", { class: "gv-small", x: RX + 17, y: 322 }, ...svgRich(resetText)),
      opNode("o1", "⊙", keep ? "z times h(t−1)" : "(1 − z) times h(t−1)"),
      opNode("o2", "⊙", keep ? "(1 − z) times n" : "z times n"),
      opNode("minus", "1−", "one minus z"), opNode("plus", "+", "sum: the new state h(t)")];
    // Quantity boxes: a title, a strip of squares (the shown unit and its neighbours), an overview
    // bar of all H units when they do not all fit, and the shown unit's value.
    this.nodes = {};
    const boxes = Object.entries(box).map(([q, [x, y]]) => {
      const width = q === "x" ? this.d.I : this.win;
      const pitch = Math.min(8, (BW - 16) / width);
      const sq = Array.from({ length: width }, (_, k) => s("rect", { class: "gv-sq", x: x + 8 + k * pitch, y: y + 24,
        width: pitch - 1, height: 12 }));
      const g = s("g", { class: `gv-node gv-node-${q}`, "data-q": q }, s("rect", { class: "gv-box", x, y, width: BW,
        height: BH, rx: 6 }), s("text", { x: x + 8, y: y + 17 }, ...svgRich((narrow || this.d.projector ? SHORT_TITLES : TITLES)[q])), ...sq);
      const node = { sq, ov: [], value: s("text", { class: "gv-val", x: x + 8, y: y + 58 }),
        tag: s("text", { class: "gv-small", x: x + BW - 8, y: y + 58, "text-anchor": "end" }) };
      if (q !== "x" && this.H > this.win) { // the overview: every unit, thin
        const span = width * pitch - 1, ow = span / this.H;
        node.ov = Array.from({ length: this.H }, (_, j) => s("rect", { x: x + 8 + j * ow, y: y + 39, width: ow + 0.3,
          height: 5 }));
        node.bracket = s("rect", { class: "gv-win", y: y + 38, height: 7, width: this.win * ow });
        node.ox = x + 8;
        node.ow = ow;
        g.append(...node.ov, node.bracket, s("rect", { class: "gv-ov", "data-unit": "strip", x: x + 8, y: y + 37,
          width: span, height: 9, fill: "transparent" }, s("title", {}, "all units: click to pick one")));
      }
      g.append(node.value, node.tag);
      this.nodes[q] = node;
      return g;
    });
    svg.replaceChildren(defs, ...lines, ...dots, ...ops, ...boxes);
  }

  buildMaps() {
    const { d, T, H } = this;
    const maps = this.el(".gv-maps");
    this.maps = d.order.map((q) => {
      const base = h("canvas", { "aria-hidden": "true" });
      const over = h("canvas", { tabindex: 0, role: "img", "data-q": q });
      const ramp = this.d.signed.includes(q) ? `${d.colors.neg}, ${d.colors.mid}, ${d.colors[q]}`
        : `${d.colors.mid}, ${d.colors[q]}`;
      const top = this.top[q] ? String(Number(this.top[q].toPrecision(2))) : "1";
      const lo = this.d.signed.includes(q) ? MINUS + top : "0";
      const row = h("div", { class: "gv-map" },
        h("div", { class: "gv-map-label", style: `color: ${d.colors[q]}` }, d.names[q],
          h("span", { class: "gv-unit-note" }, ` units 0–${H - 1}`)),
        h("div", { class: "gv-canvas" }, base, over),
        h("div", { class: "gv-legend", "aria-hidden": "true" }, h("span", { class: "gv-ramp",
          style: `background: linear-gradient(to right, ${ramp})` }), h("span", {}, `${lo} … ${top}`)));
      // The picture at one pixel per (step, unit), drawn once; each step only redraws the overlay.
      const img = h("canvas", { width: T, height: H });
      const ctx = img.getContext("2d"), px = ctx.createImageData(T, H);
      for (let t = 0; t < T; t++) {
        for (let j = 0; j < H; j++) {
          const [r, g, b] = this.color(q, this.A[q][t * H + j]), i = (j * T + t) * 4;
          px.data[i] = r; px.data[i + 1] = g; px.data[i + 2] = b; px.data[i + 3] = 255;
        }
      }
      ctx.putImageData(px, 0, 0);
      this.wireMap(over, q);
      // The text alternative: what the picture plots and the range of its values; show() adds the step's column.
      const all = this.A[q], dg = d.digits;
      let least = all[0], most = all[0];
      for (let i = 1; i < all.length; i++) { if (all[i] < least) least = all[i]; if (all[i] > most) most = all[i]; }
      const about = `Heatmap of ${d.names[q]}: ${H} units down by ${T} steps across, values from ${fmt(least, dg)} ` +
        `to ${fmt(most, dg)}.`;
      return { q, row, base, over, img, about };
    });
    this.keyRow = h("div", { class: "gv-keyrow" });
    this.ticks = h("div", { class: "gv-ticks" });
    maps.replaceChildren(h("div", { class: "gv-keys" }, h("span"), this.keyRow, h("span")),
      ...this.maps.map((m) => m.row), h("div", { class: "gv-axis" }, h("span"), this.ticks,
        h("span", { class: "gv-legend" }, "step")));
  }

  cellAt(canvas, ev) {
    const box = canvas.getBoundingClientRect();
    return [clamp(Math.floor((ev.clientX - box.left) / box.width * this.T), 0, this.T - 1),
      clamp(Math.floor((ev.clientY - box.top) / box.height * this.H), 0, this.H - 1)];
  }

  wireMap(canvas, q) {
    const tip = this.el(".gv-tip");
    canvas.addEventListener("click", (ev) => { const [t, j] = this.cellAt(canvas, ev); this.play(false); this.show(t, j); });
    canvas.addEventListener("mousemove", (ev) => {
      const [t, j] = this.cellAt(canvas, ev), r = this.root.getBoundingClientRect();
      tip.textContent = `${this.d.names[q]} · step ${t + 1} “${short(this.d.labels[t], 24)}” · unit ${j}: ` +
        fmt(this.A[q][t * this.H + j], this.d.digits);
      tip.hidden = false;
      const x = ev.clientX - r.left + 12;
      tip.style.left = `${Math.min(x, r.width - tip.offsetWidth - 4)}px`;
      tip.style.top = `${ev.clientY - r.top + 14}px`;
    });
    canvas.addEventListener("mouseleave", () => { tip.hidden = true; });
  }

  drawMaps() {
    if (!this.maps) return;
    const dpr = window.devicePixelRatio || 1;
    const cssH = clamp(this.H * MAP_PX.perUnit, MAP_PX.min, MAP_PX.max);
    for (const m of this.maps) {
      const w = m.base.parentElement.clientWidth || 300;
      for (const c of [m.base, m.over]) {
        c.width = Math.round(w * dpr);
        c.height = Math.round(cssH * dpr);
        c.style.height = `${cssH}px`;
      }
      const ctx = m.base.getContext("2d");
      ctx.imageSmoothingEnabled = false; // crisp cells, not a blur, when a unit is several pixels tall
      ctx.drawImage(m.img, 0, 0, m.base.width, m.base.height);
    }
    this.drawAxis();
  }

  drawAxis() {
    const { T, d } = this, width = this.ticks.clientWidth || 300;
    const center = (t) => ((t + 0.5) / T) * width;
    // a label centred on its step, but kept inside the row at both ends
    const place = (sp, t) => { sp.style.left = `${clamp(center(t) - sp.offsetWidth / 2, 0, width - sp.offsetWidth)}px`; };
    const every = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000].find((k) => (k * width) / T >= 48) || 1000;
    const steps = [0, ...Array.from({ length: Math.floor(T / every) }, (_, i) => (i + 1) * every - 1)]
      .filter((t, i) => t < T && (i !== 1 || center(t) - center(0) >= 40));
    const ticks = steps.map((t) => h("span", {}, String(t + 1)));
    this.ticks.replaceChildren(...ticks);
    ticks.forEach((sp, i) => place(sp, steps[i]));
    // Key steps get their word above the first heatmap; labels that would collide drop to a second line.
    const spans = d.key_steps.map((t) => h("span", { title: `step ${t + 1}: ${d.labels[t]}` },
      `▾ ${t + 1}·${short(d.labels[t], 14)}`));
    this.keyRow.replaceChildren(...spans);
    const ends = [-Infinity, -Infinity];
    spans.forEach((sp, i) => {
      place(sp, d.key_steps[i]);
      const left = sp.offsetLeft, line = left > ends[0] + 4 ? 0 : left > ends[1] + 4 ? 1 : -1;
      if (line < 0) { sp.hidden = true; return; }
      sp.classList.toggle("gv-low", line === 1);
      ends[line] = left + sp.offsetWidth;
    });
    this.keyRow.style.minHeight = spans.some((sp) => sp.classList.contains("gv-low")) ? "2.3rem" : "";
  }

  // The step column, the unit row and the key steps, over every heatmap.
  drawMarks() {
    if (!this.maps) return;
    const fg = getComputedStyle(this.root).color, mark = this.d.colors.mark, dpr = window.devicePixelRatio || 1;
    for (const m of this.maps) {
      const c = m.over, ctx = c.getContext("2d"), cw = c.width / this.T, rh = c.height / this.H;
      ctx.clearRect(0, 0, c.width, c.height);
      ctx.globalAlpha = 0.55;
      ctx.strokeStyle = fg;
      ctx.setLineDash([3 * dpr, 3 * dpr]);
      ctx.lineWidth = dpr;
      for (const k of this.d.key_steps) { ctx.beginPath(); ctx.moveTo((k + 0.5) * cw, 0); ctx.lineTo((k + 0.5) * cw, c.height); ctx.stroke(); }
      ctx.setLineDash([]);
      ctx.globalAlpha = 0.8;
      ctx.fillStyle = fg; // the unit's row: a bar on both edges, visible however thin a row is
      const y = this.unit * rh, bh = Math.max(rh, 2 * dpr);
      ctx.fillRect(0, y, 4 * dpr, bh);
      ctx.fillRect(c.width - 4 * dpr, y, 4 * dpr, bh);
      ctx.globalAlpha = 1;
      const x = this.t * cw, w = Math.max(cw, 3 * dpr); // the step's column, outlined
      ctx.lineWidth = 2 * dpr;
      ctx.strokeStyle = mark;
      ctx.strokeRect(x + cw / 2 - w / 2, dpr, w, c.height - 2 * dpr);
      ctx.strokeStyle = fg; // the shown cell
      ctx.lineWidth = 1.5 * dpr;
      ctx.strokeRect(x + cw / 2 - w / 2 - dpr, y - dpr, w + 2 * dpr, bh + 2 * dpr);
      c.dataset.t = this.t + 1;
      c.dataset.unit = this.unit;
    }
  }

  buildTable() {
    const cols = this.gru ? ["hp", "r", "z", "n", "h"] : ["hp", ...this.d.order.filter((q) => q !== "h"), "h"];
    this.cols = cols;
    const head = { hp: "h_{t−1}" };
    this.el(".gv-table thead tr").replaceChildren(h("th", { scope: "col" }, "unit"),
      ...cols.map((q) => h("th", { scope: "col" }, ...rich(head[q] || `${q}_{t}`))));
    this.rows = Array.from({ length: this.win }, () => h("tr", {}, h("th", { scope: "row" }),
      ...cols.map(() => h("td"))));
    this.el(".gv-table tbody").replaceChildren(...this.rows);
  }

  // -- one step: every view, in one go --
  show(t, unit) {
    if (!this.T) return;
    t = clamp(Math.round(t) || 0, 0, this.T - 1);
    unit = clamp(Math.round(unit) || 0, 0, this.H - 1);
    Object.assign(this, { t, unit });
    const { d, T, H, el } = this, dg = d.digits, label = d.labels[t];
    const ws = clamp(unit - Math.floor(this.win / 2), 0, H - this.win); // the window of units drawn
    const key = d.key_steps.includes(t) ? " (a key step)" : "";
    el(".gv-readout").textContent = `Step ${t + 1} of ${T}: “${label}”${key} · unit ${unit}`;
    const scrub = el(".gv-scrub");
    scrub.value = t + 1;
    scrub.setAttribute("aria-valuetext", `Step ${t + 1} of ${T}: ${label}`);
    if (Number(el(".gv-unit").value) !== unit) el(".gv-unit").value = unit;
    // aria-disabled, not disabled: a disabled button drops the keyboard focus, and with it the arrow keys
    el(".gv-prev").setAttribute("aria-disabled", String(t === 0));
    el(".gv-next").setAttribute("aria-disabled", String(t === T - 1));
    if (this.gru) this.showCell(t, unit, ws, label);
    this.drawMarks();
    this.labelMaps(t, unit, label);
    // The table is one Tab stop, the shown unit's row (up and down change the unit); focus follows that row.
    const focused = this.root.getRootNode().activeElement;
    const rowHadFocus = !!focused && this.rows.includes(focused);
    const cap = el(".gv-table-cap");
    cap.textContent = `Step ${t + 1} · “${label}” · units ${ws}–${ws + this.win - 1} of ${H}; the shown unit is ` +
      "highlighted (click a row to show it).";
    this.rows.forEach((row, k) => {
      const j = ws + k, on = j === unit;
      row.dataset.unit = j;
      row.classList.toggle("gv-on", on);
      row.tabIndex = on ? 0 : -1;
      if (on) row.setAttribute("aria-current", "true");
      else row.removeAttribute("aria-current");
      row.cells[0].textContent = j;
      this.cols.forEach((q, i) => { row.cells[i + 1].textContent = fmt(this.val(q, t, j), dg); });
    });
    const current = this.rows.find((row) => row.classList.contains("gv-on"));
    if (rowHadFocus && current && current !== focused) current.focus();
    const table = el(".gv-table");
    table.dataset.t = t + 1;
    table.dataset.unit = unit;
    this.root.dataset.t = t + 1;
    this.root.dataset.unit = unit;
    this.root.dispatchEvent(new CustomEvent("gv-drawn", { bubbles: true, composed: true, detail: { t: t + 1, unit } }));
    this.settle();
  }

  showCell(t, unit, ws, label) {
    const dg = this.d.digits;
    for (const [q, node] of Object.entries(this.nodes)) {
      if (q === "x") {
        node.sq.forEach((r, i) => r.setAttribute("fill", this.css("x", this.val("x", t, i))));
        node.value.textContent = `“${short(label, this.narrow ? 10 : 17)}”`;
        continue;
      }
      node.sq.forEach((r, k) => {
        const j = ws + k;
        r.setAttribute("fill", this.css(q, this.val(q, t, j)));
        r.dataset.unit = j;
        r.classList.toggle("gv-on", j === unit);
      });
      node.ov.forEach((r, j) => r.setAttribute("fill", this.css(q, this.val(q, t, j))));
      if (node.bracket) node.bracket.setAttribute("x", node.ox + ws * node.ow);
      node.value.textContent = fmt(this.val(q, t, unit), dg);
      node.tag.textContent = this.narrow ? "" : `unit ${unit}`; // narrow boxes: the caption names the unit
    }
    const eq = this.equations(t, unit);
    for (const line of this.el(".gv-eqs").children) line.lastChild.replaceChildren(...rich(eq[line.dataset.q]));
    const svg = this.el(".gv-diagram"), v = (q) => fmt(this.val(q, t, unit), dg);
    svg.setAttribute("aria-label", `Cell diagram, step ${t + 1} (“${label}”), unit ${unit}: update gate z = ${v("z")}, ` +
      `reset gate r = ${v("r")}, candidate n = ${v("n")}, h moves from ${v("hp")} to ${v("h")}. ` +
      "Left and right arrows step, space plays, up and down change the unit.");
    svg.dataset.t = t + 1;
    svg.dataset.unit = unit;
    const eqs = this.el(".gv-eqs");
    eqs.dataset.t = t + 1;
    eqs.dataset.unit = unit;
    this.el(".gv-cap").textContent = `Each strip shows units ${ws}–${ws + this.win - 1}` +
      (this.H > this.win ? ` (the thin bar under it: all ${this.H}, the box marks the strip)` : "") +
      `; unit ${unit} is outlined and its value written below.`;
  }

  // Each heatmap's text alternative: what it plots, then the shown step's column in numbers (every unit
  // when they are few, else its lowest and highest) and the shown unit's value.
  labelMaps(t, unit, label) {
    const { H } = this, dg = this.d.digits, LIST_UP_TO = 16;
    for (const m of this.maps) {
      const col = Array.from({ length: H }, (_, j) => this.A[m.q][t * H + j]);
      let column;
      if (H <= LIST_UP_TO) column = `units 0–${H - 1}: ${col.map((q) => fmt(q, dg)).join(", ")}`;
      else {
        const lo = col.indexOf(Math.min(...col)), hi = col.indexOf(Math.max(...col));
        column = `from ${fmt(col[lo], dg)} (unit ${lo}) to ${fmt(col[hi], dg)} (unit ${hi})`;
      }
      m.over.setAttribute("aria-label", `${m.about} Step ${t + 1} (“${label}”), ${column}; unit ${unit} is ` +
        `${fmt(col[unit], dg)}. Click a cell to show that step and unit; left and right arrows step, up and down ` +
        "change the unit.");
    }
  }
}

// The step page's address follows the viewer: replaceState, so stepping adds no history entries and
// Streamlit is not told (its next run reads t and unit from the address, like a link's).
function writeAddress([t, unit]) {
  try {
    const url = new URL(window.location.href);
    url.searchParams.set("t", String(t));
    url.searchParams.set("unit", String(unit));
    window.history.replaceState(window.history.state, "", url);
    window.dispatchEvent(new CustomEvent("gru-lab-address")); // the live link for students rereads it
  } catch { /* an address the browser will not let us change: the view still works */ }
}

// ---- entry points ----------------------------------------------------------------------------------
const VIEWERS = new WeakMap(); // one Viewer per mounted root, kept across Streamlit reruns

function mount(component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".gv");
  let v = VIEWERS.get(root);
  if (!v) { v = new Viewer(root); VIEWERS.set(root, v); }
  // Stepping sends the server nothing; one report when the reader turns away (see __init__.py).
  v.load(data, data.address ? writeAddress : () => {}, data.address ? (pos) => setStateValue("pos", pos) : null);
  return () => v.play(false);
}

// The offline file: the position lives in the address's #t=…&unit=…, so a link to the file can carry it.
function mountOffline(host, data) {
  const root = host.querySelector(".gv");
  const v = new Viewer(root);
  const m = /t=(\d+)&unit=(\d+)/.exec(location.hash);
  v.load(m ? { ...data, start: [Number(m[1]), Number(m[2])] } : data, (pos) => {
    try { history.replaceState(null, "", `#t=${pos[0]}&unit=${pos[1]}`); } catch { /* some file:// setups refuse; the view still works */ }
  });
  document.addEventListener("keydown", (ev) => { if (ev.target === document.body) v.onKey(ev); });
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => v.drawMarks());
  window.gruViewer = v; // for the browser tests and the benchmark
}

export default mount;
