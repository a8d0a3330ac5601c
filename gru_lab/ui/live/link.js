// A live class's browser half (gru_lab/ui/live): it keeps this tab's seat in a cookie, so a reload or a
// phone that slept comes back to the same seat without a secret in the address; it polls the class's
// small static file and asks for a run of the page only when the teacher did something; and for the
// teacher it copies the private control link without ever showing it. A control link carries its key in
// the address's fragment (#teacher=…), which browsers never send: the claim reads it, takes it out of the
// address and hands it to the page over the app's own connection, so no server or proxy log holds it.
const TIMERS = new WeakMap(); // one poll per mounted element, across Streamlit's reruns
const ASK_AGAIN_MS = 4000; // a page that was asked to follow and did not redraw within this is asked again

export default function mount(component) {
  const { data, parentElement, setTriggerValue } = component;
  clearTimeout(TIMERS.get(parentElement));
  for (const c of data.cookies || []) {
    document.cookie = `${c.name}=${c.value}; Max-Age=${c.max_age}; Path=/; SameSite=Strict`;
  }
  if (data.claim) {
    const hash = new URLSearchParams(window.location.hash.slice(1));
    const key = hash.get("teacher");
    if (key) {
      hash.delete("teacher");
      const rest = hash.toString();
      history.replaceState(history.state, "", window.location.pathname + window.location.search + (rest ? "#" + rest : ""));
      setTriggerValue("teacher", key.slice(0, 99));
    }
    return () => {};
  }
  const copy = parentElement.querySelector(".gl-class-copy");
  const said = parentElement.querySelector(".gl-class-said");
  copy.hidden = !data.control_link;
  copy.onclick = async () => {
    try {
      await navigator.clipboard.writeText(new URL(data.control_link, window.location.href).toString());
      said.textContent = "Copied: paste it only where the room cannot see it.";
    } catch {
      said.textContent = "This browser did not allow copying (it needs https or localhost).";
    }
  };
  if (data.poll) {
    const url = new URL(data.poll, document.baseURI);
    const tick = async () => {
      try {
        url.searchParams.set("n", String(Date.now())); // past any cache between here and the server
        const r = await fetch(url, { cache: "no-store" });
        // A change asks the page for a run, which mounts this again with the new version (and clears this
        // timer). The ask can be lost (its fragment gone after another run of the page): asked again later.
        let wait = data.every_ms;
        if (r.ok) {
          const now = await r.json();
          if (now.version !== data.version) { setTriggerValue("moved", now.version); wait = ASK_AGAIN_MS; }
        } else if (r.status === 404) { // the class ended, or its file is being made again: ask the page
          setTriggerValue("moved", -1); wait = ASK_AGAIN_MS;
        }
        TIMERS.set(parentElement, setTimeout(tick, wait));
        return;
      } catch { /* offline for a moment (a phone waking up): try again */ }
      TIMERS.set(parentElement, setTimeout(tick, data.every_ms));
    };
    TIMERS.set(parentElement, setTimeout(tick, data.every_ms));
  }
  return () => clearTimeout(TIMERS.get(parentElement));
}
