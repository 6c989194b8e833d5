// Comment boxes (templates/includes/comment_box.html): a live preview each time the
// writer pauses, and the characters left as the limit nears. Without this script the
// Preview button and the server's message about the length do the same work, so
// nothing here is needed to post.
(function () {
  "use strict";

  // Milliseconds of quiet before the text is previewed: one request a pause, not a key.
  var PAUSE = 800;
  // The count shows from this share of the limit on.
  var NEAR_THE_LIMIT = 0.9;

  // Forms send each line break as CR LF, and the server counts both characters.
  function lengthAsSent(text) {
    return text.length + (text.match(/\n/g) || []).length;
  }

  function setUp(form) {
    var box = form.querySelector("textarea[data-max-length]");
    var preview = form.querySelector("[data-preview]");
    if (!box || !preview) {
      return;
    }
    var previewBody = preview.querySelector("[data-preview-body]");
    var limit = Number(box.dataset.maxLength);
    var counter = document.createElement("span");
    counter.className = "char-count";
    counter.setAttribute("aria-live", "polite");
    var help = document.getElementById(box.id + "_helptext");
    (help || box.parentNode).append(" ", counter);

    var timer = null;
    var pending = null;
    var quietUntil = 0;

    function count() {
      var length = lengthAsSent(box.value);
      var left = limit - length;
      counter.classList.toggle("over", left < 0);
      if (length < limit * NEAR_THE_LIMIT) {
        counter.textContent = "";
      } else if (left >= 0) {
        counter.textContent = box.dataset.leftText.replace("{n}", left.toLocaleString("en"));
      } else {
        counter.textContent = box.dataset.overText.replace("{n}", (-left).toLocaleString("en"));
      }
    }

    function show(content, isHtml) {
      if (isHtml) {
        // The server's renderer sanitized this HTML; the CSP forbids inline scripts anyway.
        previewBody.innerHTML = content;
      } else {
        previewBody.textContent = content;
      }
      preview.hidden = false;
    }

    function refresh() {
      if (!box.value.trim()) {
        preview.hidden = true;
        return;
      }
      // Over the limit the counter says so, and the server would only refuse.
      if (lengthAsSent(box.value) > limit || Date.now() < quietUntil) {
        return;
      }
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      var data = new FormData();
      data.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
      data.append("body", box.value);
      fetch(form.dataset.previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        signal: pending.signal,
      })
        .then(function (response) {
          return response.text().then(function (text) {
            if (response.ok) {
              show(text, true);
            } else if (response.status === 400 || response.status === 429) {
              var wait = Number(response.headers.get("Retry-After")) || 0;
              quietUntil = Date.now() + wait * 1000;
              show(text, false);
            }
          });
        })
        .catch(function () {
          // Aborted by a newer preview, or offline: the Preview button still works.
        });
    }

    box.addEventListener("input", function () {
      count();
      clearTimeout(timer);
      timer = setTimeout(refresh, PAUSE);
    });
    count();
  }

  document.querySelectorAll("form[data-preview-url]").forEach(setUp);
})();
