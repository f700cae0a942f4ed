// The notification template editor's live preview: as one types, the template is sent to
// the preview endpoint (debounced) and the fragment it answers replaces the preview. Without
// JavaScript the editor's Preview button does the same with a page load.
"use strict";
(function () {
  const form = document.getElementById("template-form");
  const target = document.getElementById("template-preview");
  if (!form || !target || !form.dataset.preview) {
    return;
  }
  const wait = 300;
  let timer = 0;
  let running = null;
  async function refresh() {
    if (running) {
      running.abort();
    }
    running = new AbortController();
    const body = new URLSearchParams(new FormData(form));
    body.delete("action");
    try {
      const res = await fetch(form.dataset.preview, {
        method: "POST",
        body: body,
        headers: { "Accept": "text/html" },
        credentials: "same-origin",
        signal: running.signal,
      });
      // A template that cannot be rendered answers 422 with a fragment that says why.
      if (res.ok || res.status === 422) {
        target.innerHTML = await res.text();
        form.dataset.previewed = String(Number(form.dataset.previewed || 0) + 1);
      }
    } catch (err) {
      if (err.name !== "AbortError") {
        console.warn("preview failed", err);
      }
    }
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, wait);
  });
})();
