// Pictures in the article editor. Choosing a file sends it to /uploads/new with fetch
// (the CSRF token in a header, JSON asked for), and the Markdown the server answers,
// ![alt](/uploads/…), is put into the article where the cursor was; the preview
// follows, as after a keystroke. What went wrong is said under the file box, in
// the server's words or the page's own (data-*, translated like every other text).
// Without this script the Upload button opens the same form's answer in a new tab.
(function () {
  "use strict";
  const form = document.querySelector("form[data-insert-into]");
  const textarea = form && document.getElementById(form.dataset.insertInto);
  const status = form && document.getElementById(form.dataset.status);
  const input = form && document.querySelector('input[type=file][form="' + form.id + '"]');
  if (!textarea || !status || !input) return;
  const button = document.querySelector('button[form="' + form.id + '"]');
  const token = document.querySelector('meta[name="csrf-token"]').content;
  if (button) button.hidden = true; // choosing the file is enough

  function say(message, failed) {
    status.textContent = message;
    status.classList.toggle("text-danger", failed);
    input.classList.toggle("is-invalid", failed);
    input.setAttribute("aria-invalid", failed ? "true" : "false");
  }

  function insert(markdown) {
    textarea.setRangeText(markdown, textarea.selectionStart, textarea.selectionEnd, "end");
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    textarea.focus();
  }

  async function upload() {
    const file = input.files[0];
    if (!file) return;
    say(form.dataset.uploading, false);
    input.disabled = true;
    const body = new FormData();
    body.append("image", file);
    let response;
    let answer = null;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: body,
        headers: { "X-CSRFToken": token, Accept: "application/json" },
        credentials: "same-origin",
      });
      answer = await response.json();
    } catch {
      answer = null; // offline, or an answer that is not ours (a proxy's error page)
    } finally {
      input.disabled = false;
    }
    if (!response || !response.ok || !answer || !answer.markdown) {
      say((answer && answer.detail) || form.dataset.failed, true);
      return;
    }
    insert(answer.markdown);
    input.value = "";
    say(form.dataset.done, false);
  }

  input.addEventListener("change", upload);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    upload();
  });
})();
