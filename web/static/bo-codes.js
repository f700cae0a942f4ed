// The QR configurator's live preview: as the appearance inputs change, the form is posted to
// the code's preview route (nothing is saved) and the drawn image replaces the preview; a
// refusal is shown next to the field it names. The download links follow the unsaved
// appearance. Without this script the Preview button does the same with a page load.
"use strict";
(function () {
  const form = document.getElementById("code-form");
  const img = document.getElementById("qr-preview");
  if (!form || !img || !form.dataset.preview) {
    return;
  }
  const status = document.getElementById("preview-status");
  const caption = status ? status.textContent : "";
  const appearance = ["fg", "bg", "size", "quiet", "ec", "logo_size", "logo", "remove_logo"];
  const fieldOf = {foreground: "fg", background: "bg", size: "size", quiet_zone: "quiet", correction: "ec", logo: "logo", logo_size: "logo_size"};
  const downloads = [["download-png", "qr.png"], ["download-svg", "qr.svg"]];
  let timer = 0;
  let seq = 0;

  function clearProblems() {
    for (const p of form.querySelectorAll(".qr-fields .problem")) {
      p.hidden = true;
      p.textContent = "";
    }
    for (const name of Object.values(fieldOf)) {
      const el = form.elements.namedItem(name);
      if (el && el.removeAttribute) {
        el.removeAttribute("aria-invalid");
      }
    }
  }

  function showProblem(field, text) {
    const p = document.getElementById("problem-" + field);
    if (p) {
      p.textContent = text;
      p.hidden = false;
    }
    const el = form.elements.namedItem(fieldOf[field] || field);
    if (el && el.setAttribute) {
      el.setAttribute("aria-invalid", "true");
    }
  }

  function updateDownloads() {
    const q = new URLSearchParams();
    for (const [k, param] of [["fg", "fg"], ["bg", "bg"], ["size", "size"], ["quiet", "quiet"], ["ec", "ec"], ["logo_size", "logo_size"]]) {
      const el = form.elements.namedItem(k);
      if (el && el.value !== "") {
        q.set(param, el.value);
      }
    }
    const remove = form.elements.namedItem("remove_logo");
    if (remove && remove.checked) {
      q.set("logo", "remove");
    }
    for (const [id, file] of downloads) {
      const a = document.getElementById(id);
      if (a) {
        // form.action would be the inputs named "action": read the attribute.
        a.href = form.getAttribute("action") + "/" + file + "?" + q.toString();
      }
    }
  }

  async function refresh() {
    const mine = ++seq;
    form.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(form.dataset.preview, {method: "POST", body: new FormData(form), credentials: "same-origin"});
      if (mine !== seq) {
        return; // a newer preview is on its way
      }
      clearProblems();
      if (res.ok) {
        const blob = await res.blob();
        const url = await new Promise((resolve, reject) => {
          const r = new FileReader();
          r.onload = () => resolve(r.result);
          r.onerror = reject;
          r.readAsDataURL(blob);
        });
        if (mine === seq) {
          img.src = url;
          img.classList.remove("stale");
          if (status) {
            status.textContent = caption;
          }
        }
      } else if (res.status === 422) {
        const p = await res.json();
        img.classList.add("stale");
        if (p.field) {
          showProblem(p.field, p.problem);
        }
        if (status) {
          status.textContent = p.problem || caption;
        }
      }
    } catch (e) {
      // Offline or refused: the Preview button still works.
    } finally {
      if (mine === seq) {
        form.removeAttribute("aria-busy");
      }
    }
  }

  function changed(ev) {
    const name = ev.target && ev.target.name;
    if (!appearance.includes(name)) {
      return;
    }
    updateDownloads();
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.classList.add("live");
})();
