// The handout form's helpers: the live preview, reading a page at full size, and the
// date spelled out the clinic's way.
// At most one preview is asked for at a time: if the form changed while the server was
// drawing one, the next is asked for when it arrives, so a slow moment never piles up work.
"use strict";

(function () {
  const form = document.getElementById("handout");
  const area = document.getElementById("preview");
  const state = document.getElementById("preview-state");
  if (!form || !area) return;
  const WAIT_MS = 400;
  // Fields that change how the handout looks; delivery fields (email, printer, copies) do not.
  const NOT_ON_THE_PAGE = new Set(["email", "printer", "copies", "action"]);
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
        // Said only when no newer change is waiting: the pages shown are the form's.
        state.textContent = response.ok && !again && area.querySelector("img") ? "Preview up to date." : "";
      }
    } catch (error) {
      state.textContent = "The preview could not be updated; check the connection and press Preview.";
    } finally {
      busy = false;
      if (again) refresh();
    }
  }

  function soon(event) {
    if (NOT_ON_THE_PAGE.has(event.target.name)) return;
    clearTimeout(timer);
    state.textContent = "";
    timer = setTimeout(refresh, WAIT_MS);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  if (!area.querySelector("img") && document.getElementById("protocol").value) refresh();

  // --- a page at full size -------------------------------------------------------------
  const dialog = document.getElementById("page-dialog");
  const full = document.getElementById("page-full");
  const title = document.getElementById("page-dialog-title");
  const previous = document.getElementById("page-previous");
  const next = document.getElementById("page-next");
  let shown = 0;
  let opener = null;

  function pages() {
    return Array.from(area.querySelectorAll(".page-zoom img"));
  }

  function show(index) {
    const all = pages();
    if (!all.length) return;
    shown = Math.max(0, Math.min(index, all.length - 1));
    full.src = all[shown].src;
    full.alt = all[shown].alt;
    title.textContent = "Page " + (shown + 1) + " of " + all.length;
    previous.disabled = shown === 0;
    next.disabled = shown === all.length - 1;
  }

  area.addEventListener("click", function (event) {
    const button = event.target.closest(".page-zoom");
    if (!button || !dialog) return;
    opener = button;
    show(Number(button.dataset.page));
    dialog.showModal();
    document.getElementById("page-close").focus();
  });
  if (dialog) {
    previous.addEventListener("click", () => show(shown - 1));
    next.addEventListener("click", () => show(shown + 1));
    document.getElementById("page-close").addEventListener("click", () => dialog.close());
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "ArrowLeft" || event.key === "PageUp") show(shown - 1);
      if (event.key === "ArrowRight" || event.key === "PageDown") show(shown + 1);
    });
    // Back to the page that opened it, as a keyboard user expects.
    dialog.addEventListener("close", function () {
      const again = area.querySelector('.page-zoom[data-page="' + shown + '"]') || opener;
      if (again) again.focus();
    });
  }

  // --- the date spelled out ------------------------------------------------------------
  // The same words the server writes (weekday, month name), in the clinic's order:
  // "Sunday, November 22, 2026" (US) or "Sunday 22 November 2026" (day first).
  const date = document.getElementById("date");
  const clinic = document.getElementById("clinic");
  const spelled = document.getElementById("date-spelled");
  const PAST_DAYS = 3;  // a few days back is a late handout; more is more likely a slip

  function spell() {
    if (!date || !spelled) return;
    spelled.classList.remove("warn");
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.value);
    if (!match) {
      spelled.textContent = date.value ? "" : "No date chosen.";
      return;
    }
    const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    const style = clinic.selectedOptions[0] ? clinic.selectedOptions[0].dataset.dateStyle : "us";
    const parts = {};
    const format = new Intl.DateTimeFormat("en", {
      weekday: "long", year: "numeric", month: "long", day: "numeric",
    });
    for (const part of format.formatToParts(day)) parts[part.type] = part.value;
    const words = style === "day-month"
      ? parts.weekday + " " + parts.day + " " + parts.month + " " + parts.year
      : parts.weekday + ", " + parts.month + " " + parts.day + ", " + parts.year;
    // The server's today (it may be pinned), else this computer's.
    const pinned = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.dataset.today || "");
    const today = pinned
      ? new Date(Number(pinned[1]), Number(pinned[2]) - 1, Number(pinned[3]))
      : new Date();
    today.setHours(0, 0, 0, 0);
    const ago = Math.round((today - day) / 86400000);
    if (ago > PAST_DAYS) {
      spelled.textContent = words + ": " + ago + " days ago. Is that the right date?";
      spelled.classList.add("warn");
    } else {
      spelled.textContent = words;
    }
  }

  if (date) {
    date.addEventListener("input", spell);
    clinic.addEventListener("change", spell);
    spell();
  }
})();
