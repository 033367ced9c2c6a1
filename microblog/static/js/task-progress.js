// A background task's progress bar: an element marked data-task-url="/tasks/<id>" holds
// a <progress>, a .task-percent and a .task-message. This script asks the URL (the
// task's JSON document, its owner's only) every second and moves the bar; when the task
// has finished it reloads the page, which then shows what the task made (an export's
// Download link); when it has failed it shows the document's words and stops asking.
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
          show(task);
          if (task.state === "finished") {
            window.location.reload();
          } else if (task.state === "failed") {
            failed(task);
          } else {
            window.setTimeout(ask, EVERY);
          }
        })
        .catch(function () {
          message.textContent = element.dataset.couldNotLoad;
          window.setTimeout(ask, AFTER_ERROR);
        });
    }

    ask();
  }

  document.querySelectorAll("[data-task-url]").forEach(follow);
})();
