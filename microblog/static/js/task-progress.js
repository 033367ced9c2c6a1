// A background task's progress bar: an element marked data-task-url="/tasks/<id>" (and
// data-task-id) holds a <progress>, a .task-percent and a .task-message. While the
// page's socket is connected (realtime.js) the worker's pushes move the bar (a "task"
// event for the owner's tabs) and "finished" arrives by push; without it, this script
// asks the URL (the task's JSON document, its owner's only) every second. When the
// task has finished it reloads the page, which then shows what the task made (an
// export's Download link); when it has failed it shows the document's words and stops.
// Without the script the page still works: each load of it shows the progress then.
// Texts come from data-* attributes (the element's and the script tag's), translated
// like the rest of the page.
(function () {
  "use strict";
  const texts = document.currentScript.dataset;
  const EVERY = 1000; // ms between two questions
  const AFTER_ERROR = 3000;

  function follow(element) {
    const bar = element.querySelector("progress");
    const percent = element.querySelector(".task-percent");
    const message = element.querySelector(".task-message");
    const reload = element.querySelector(".task-reload");
    if (reload) reload.hidden = true; // the page follows the task by itself

    function show(task) {
      bar.value = task.progress;
      bar.textContent = task.progress + " %";
      percent.textContent = task.progress + " %";
      message.textContent = task.message;
    }

    function failed(task) {
      const alert = document.createElement("div");
      alert.className = "alert alert-danger mt-2";
      alert.setAttribute("role", "alert");
      const words = document.createElement("p");
      words.className = "mb-1";
      words.textContent = (texts.failed || "") + " " + task.message;
      alert.append(words);
      if (task.error) {
        const detail = document.createElement("p");
        detail.className = "mb-0 small";
        detail.textContent = task.error;
        alert.append(detail);
      }
      element.append(alert);
    }

    let timer = null;
    let over = false;

    function later(delay) {
      window.clearTimeout(timer);
      timer = null;
      if (!over && !(window.microblogRealtime && window.microblogRealtime.connected())) {
        timer = window.setTimeout(ask, delay);
      }
    }

    function ended(task) {
      if (over) return;
      if (task.state === "finished") {
        over = true;
        window.location.reload();
      } else if (task.state === "failed") {
        over = true;
        failed(task);
      }
    }

    // A push from the worker: the bar moves at once; the end is asked about, for the
    // words of a failure (and so a page that reloads finds the task finished).
    document.addEventListener("realtime:task", function (event) {
      const pushed = event.detail;
      if (over || pushed.id !== element.dataset.taskId) return;
      if (pushed.progress !== null && pushed.progress !== undefined) {
        bar.value = pushed.progress;
        bar.textContent = pushed.progress + " %";
        percent.textContent = pushed.progress + " %";
      }
      if (pushed.state !== "running") ask();
    });
    // Each connection asks once (what was missed), and stops the asking every second;
    // a lost socket starts it again.
    document.addEventListener("realtime:connect", function () {
      ask();
    });
    document.addEventListener("realtime:disconnect", function () {
      later(EVERY);
    });

    function ask() {
      fetch(element.dataset.taskUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (task) {
          if (over) return;
          show(task);
          ended(task);
          later(EVERY);
        })
        .catch(function () {
          message.textContent = element.dataset.couldNotLoad;
          later(AFTER_ERROR);
        });
    }

    ask();
  }

  document.querySelectorAll("[data-task-url]").forEach(follow);
})();
