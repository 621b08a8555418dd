// Live preview: after staff stop typing for a moment, post the form and show the pages.
// At most one preview is asked for at a time: if the form changed while the server was
// drawing one, the next is asked for when it arrives, so a slow moment never piles up work.
"use strict";

(function () {
  const form = document.getElementById("handout");
  const area = document.getElementById("preview");
  const state = document.getElementById("preview-state");
  if (!form || !area) return;
  const WAIT_MS = 400;
  let timer = null;
  let busy = false;
  let again = false;

  async function refresh() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    again = false;
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
      if (response.status === 401 || response.status === 403) {
        state.textContent = await response.text();
        again = false;
      } else {
        area.innerHTML = await response.text();  // server-rendered and escaped
        state.textContent = response.ok ? "Preview up to date." : "";
      }
    } catch (error) {
      state.textContent = "The preview could not be updated; check the connection and press Preview.";
    } finally {
      busy = false;
      if (again) refresh();
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
