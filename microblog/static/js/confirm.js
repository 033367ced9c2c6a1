// Ask before sending a form marked <form data-confirm="Question?">.
//
// Pressing Cancel keeps the page as it is; OK sends the form as usual. This
// lives in a file, not in an onsubmit="..." attribute, because the
// Content-Security-Policy forbids inline script. Without JavaScript the
// form is simply sent, and the server still checks everything.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
