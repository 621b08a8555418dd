// "Print this page" buttons (data-print-page): the browser's own print, with the print styles.
"use strict";

for (const button of document.querySelectorAll("[data-print-page]")) {
  button.addEventListener("click", function () {
    window.print();
  });
}
