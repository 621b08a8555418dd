// Live preview: after staff stop typing for a moment, post the form and show the pages.
// Only the newest answer is shown, so a slow earlier preview never replaces a newer one.
"use strict";

(function () {
  const form = document.getElementById("handout");
  const area = document.getElementById("preview");
  const state = document.getElementById("preview-state");
  if (!form || !area) return;
  const WAIT_MS = 400;
  let timer = null;
  let latest = 0;

  async function refresh() {
    const asked = ++latest;
    state.textContent = "Updating the preview…";
    const body = new FormData(form);
    body.delete("action");
    try {
      const response = await fetch("/preview", {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "preview" },
      });
      if (asked !== latest) return;
      if (response.status === 401 || response.status === 403) {
        state.textContent = await response.text();
        return;
      }
      area.innerHTML = await response.text();  // server-rendered and escaped
      state.textContent = response.ok ? "Preview up to date." : "";
    } catch (error) {
      if (asked === latest) state.textContent = "The preview could not be updated; check the connection and press Preview.";
    }
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, WAIT_MS);
  }

  for (const field of form.querySelectorAll("#clinic, #protocol, #patient, #date, #time")) {
    field.addEventListener("input", soon);
    field.addEventListener("change", soon);
  }
  if (!area.querySelector("img")) refresh();
})();
