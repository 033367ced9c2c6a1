// Show every <time data-format> in the viewer's own time zone and language.
//
// The server cannot know the reader's time zone, so it writes UTC into the
// page; this script rewrites it with the browser's Intl API:
//   data-format="relative"  ->  "3 minutes ago", full local date on hover
//   data-format="date"      ->  "November 21, 2026"           (for lang="en")
//   data-format="datetime"  ->  "November 21, 2026 at 2:05 PM"
// HTML a script adds later (a hover card) is rewritten too, when that script sends a
// "content-added" event from it.
(function () {
  "use strict";

  var locale = document.documentElement.lang || undefined;
  var relative = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  var full = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short" });
  var formats = {
    date: new Intl.DateTimeFormat(locale, { dateStyle: "long" }),
    datetime: new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short" }),
  };
  var units = [
    ["year", 365 * 24 * 3600],
    ["month", 30 * 24 * 3600],
    ["week", 7 * 24 * 3600],
    ["day", 24 * 3600],
    ["hour", 3600],
    ["minute", 60],
    ["second", 1],
  ];

  function fromNow(date) {
    var seconds = (date.getTime() - Date.now()) / 1000;
    for (var i = 0; i < units.length; i++) {
      var size = units[i][1];
      if (Math.abs(seconds) >= size || size === 1) {
        return relative.format(Math.round(seconds / size), units[i][0]);
      }
    }
  }

  function render(root) {
    (root || document).querySelectorAll("time[data-format]").forEach(function (el) {
      var date = new Date(el.getAttribute("datetime"));
      if (isNaN(date.getTime())) return;
      var format = el.dataset.format;
      el.title = full.format(date);
      el.textContent = format === "relative" ? fromNow(date) : formats[format].format(date);
      el.dataset.rendered = "local";
    });
  }

  render();
  setInterval(function () { render(); }, 60 * 1000);  // keep "3 minutes ago" true while the page stays open
  document.addEventListener("content-added", function (event) {
    render(event.target);
  });
})();
