/*
 * Copy buttons: <button data-copy="ID" hidden> copies the value of the element
 * with that id to the clipboard and says so in <... data-copied="ID">. The
 * buttons stay hidden without JavaScript (the address can still be selected
 * and copied by hand). The words said come from the status element's
 * data-done and data-failed, translated by the template. No inline code: it
 * runs under a strict CSP.
 */
"use strict";

(function () {
  for (const button of document.querySelectorAll("button[data-copy]")) {
    const source = document.getElementById(button.dataset.copy);
    const status = document.querySelector(`[data-copied="${button.dataset.copy}"]`);
    if (!source || !navigator.clipboard) {
      continue;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.value).then(
        function () {
          if (status) {
            status.textContent = status.dataset.done;
          }
        },
        function () {
          source.select();
          if (status) {
            status.textContent = status.dataset.failed;
          }
        },
      );
    });
  }
})();
