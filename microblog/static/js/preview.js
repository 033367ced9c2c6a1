// Live preview in the article editor: a moment after the author stops typing, the
// body is sent to /preview, which renders it with the same Markdown renderer and
// sanitiser that saving uses, and the answer replaces the preview. The HTML comes
// from our own sanitiser, never from the textarea directly.
(function () {
  "use strict";
  const body = document.querySelector("textarea[data-preview]");
  const preview = body && document.getElementById(body.dataset.preview);
  if (!preview) return;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  let timer = null;
  let sent = 0;

  async function refresh() {
    const ticket = ++sent;
    const form = new FormData();
    form.append("body", body.value);
    let response;
    try {
      response = await fetch(preview.dataset.previewUrl, {
        method: "POST",
        body: form,
        headers: { "X-CSRFToken": token },
        credentials: "same-origin",
      });
    } catch {
      return; // offline for a moment: the next keystroke tries again
    }
    // Only the answer to the latest keystroke may replace the preview.
    if (response.ok && ticket === sent) {
      preview.innerHTML = await response.text();
      preview.dataset.rendered = String(ticket);
    }
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  if (body.value.trim()) refresh();
})();
