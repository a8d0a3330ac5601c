// The link box: the server's link, with the `live` parameters taken from the address as it is now.
function linkNow(data) {
  const url = new URL(data.link, window.location.href);
  const here = new URLSearchParams(window.location.search);
  for (const k of data.live) {
    const v = here.get(k);
    if (v !== null) url.searchParams.set(k, v);
  }
  return url.toString();
}

export default function mount(component) {
  const { data, parentElement } = component;
  const text = parentElement.querySelector(".gl-link-text");
  const copy = parentElement.querySelector(".gl-link-copy");
  const show = () => { text.value = linkNow(data); };
  show();
  copy.onclick = async () => {
    show();
    let said = "Copied";
    try {
      await navigator.clipboard.writeText(text.value);
    } catch { // no clipboard permission (plain http on a school network): select it for Ctrl+C
      text.focus();
      text.select();
      said = "Press Ctrl+C";
    }
    copy.textContent = said;
    setTimeout(() => { copy.textContent = "Copy"; }, 2000);
  };
  text.onfocus = () => { show(); text.select(); };
  window.addEventListener("gru-lab-address", show);
  window.addEventListener("popstate", show);
  return () => {
    window.removeEventListener("gru-lab-address", show);
    window.removeEventListener("popstate", show);
  };
}
