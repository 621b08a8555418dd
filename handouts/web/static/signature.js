// The signature pad: the patient draws with a finger, stylus or mouse (pointer events),
// and the drawing is sent with the form as a PNG. Nothing leaves this page but that form.
"use strict";

(function () {
  const form = document.getElementById("signature-form");
  const canvas = document.getElementById("signature-pad");
  const field = document.getElementById("signature-data");
  const save = document.getElementById("signature-save");
  const clear = document.getElementById("signature-clear");
  const state = document.getElementById("pad-state");
  if (!form || !canvas || !field || !save || !clear) return;
  const context = canvas.getContext("2d");
  let drawn = false;
  let drawing = null; // the pointer drawing now, and where it was last

  // The bitmap matches the box's size on screen at the screen's density, so lines
  // are sharp on a tablet; resizing clears it, as the drawing would no longer fit.
  function fit() {
    const box = canvas.getBoundingClientRect();
    const ratio = Math.min(window.devicePixelRatio || 1, 2);
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    context.lineWidth = 2.5;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111a44";
    setDrawn(false);
  }

  function setDrawn(value) {
    drawn = value;
    save.disabled = !drawn;
    state.textContent = drawn ? "Signed in the box. Press Save signature." : "";
  }

  function point(event) {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }

  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    const at = point(event);
    drawing = { id: event.pointerId, at: at };
    context.beginPath();
    context.arc(at.x, at.y, context.lineWidth / 2, 0, 2 * Math.PI);
    context.fillStyle = context.strokeStyle;
    context.fill();
  });

  canvas.addEventListener("pointermove", function (event) {
    if (!drawing || event.pointerId !== drawing.id) return;
    event.preventDefault();
    // Coalesced events keep fast strokes smooth on screens that report more than they paint.
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
    context.beginPath();
    context.moveTo(drawing.at.x, drawing.at.y);
    for (const each of events.length ? events : [event]) {
      const at = point(each);
      context.lineTo(at.x, at.y);
      drawing.at = at;
    }
    context.stroke();
    if (!drawn) setDrawn(true);
  });

  function stop(event) {
    if (drawing && event.pointerId === drawing.id) drawing = null;
  }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  clear.addEventListener("click", function () {
    context.clearRect(0, 0, canvas.width, canvas.height);
    setDrawn(false);
  });

  form.addEventListener("submit", function (event) {
    if (!drawn) {
      event.preventDefault();
      state.textContent = "Nothing is signed yet: sign in the box first.";
      return;
    }
    field.value = canvas.toDataURL("image/png");
    save.disabled = true; // one signature per press
  });

  window.addEventListener("resize", function () {
    if (!drawn) fit();
  });
  fit();
})();
