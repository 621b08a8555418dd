// Every printer list on every page starts at the printer this browser used last.
// Kept in this browser only (localStorage): a printer's name is not health data, and
// each desk has its own printer, so the server does not need to know it.
"use strict";

(function () {
  const KEY = "handouts.printer";
  let remembered = null;
  try {
    remembered = window.localStorage.getItem(KEY);
  } catch (error) {
    return;  // storage switched off: every list starts at the clinic's printer
  }
  for (const select of document.querySelectorAll('select[data-remember="printer"]')) {
    const known = Array.from(select.options).some((option) => option.value === remembered);
    // A choice the server sent back (after Print) wins over the remembered one.
    if (remembered !== null && known && select.value === "") select.value = remembered;
    select.addEventListener("change", function () {
      try {
        window.localStorage.setItem(KEY, select.value);
      } catch (error) {
        // nothing to do: it is only a convenience
      }
    });
  }
})();
