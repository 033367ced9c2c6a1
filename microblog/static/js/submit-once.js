// Send a POST form once: after the first submit its buttons are disabled until the next page.
//
// A double click on "Post" would otherwise send the form twice. The buttons are
// disabled just after the browser has read the form (a disabled button's name and
// value would not be sent), and a second submit of the same form is cancelled.
// Coming back with the Back button shows the page from the browser's memory, so
// the buttons are enabled again there. Without JavaScript the server still
// publishes the same status only once (services/posts.py, REPEAT_WINDOW).
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.method.toLowerCase() !== "post") {
      return; // confirm.js's question was answered "Cancel", or a search: harmless twice
    }
    if (form.hasAttribute("data-submitting")) {
      event.preventDefault();
      return;
    }
    form.setAttribute("data-submitting", "");
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit], button:not([type])")
        .forEach(function (button) {
          if (!button.disabled) {
            button.disabled = true;
            button.setAttribute("data-disabled-by-submit", "");
          }
        });
    }, 0);
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      form.removeAttribute("data-submitting");
      form.querySelectorAll("[data-disabled-by-submit]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("data-disabled-by-submit");
      });
    });
  });
})();
