// While a day's list is being made, move the progress bar; reload the page when it is done.
"use strict";

(function () {
  const area = document.getElementById("progress-area");
  if (!area || area.dataset.running !== "yes") return;
  const bar = document.getElementById("progress");
  const text = document.getElementById("progress-text");
  const url = "/batch/" + encodeURIComponent(area.dataset.token) + "/progress";

  async function poll() {
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.ok) {
        const progress = await response.json();
        bar.max = Math.max(progress.total, 1);
        bar.value = progress.done;
        text.textContent = progress.done + " of " + progress.total + " rows done.";
        if (!progress.running) {
          window.location.reload();
          return;
        }
      }
    } catch (error) {
      text.textContent = "Lost touch with the server; it keeps working. Reload the page to check.";
    }
    setTimeout(poll, 500);
  }
  poll();
})();
