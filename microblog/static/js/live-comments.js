// A post's comments, live: new ones appear, corrected ones change and deleted ones
// (by their author, the post's author or a moderator) go, with the count, for every
// reader of the page, without a reload.
//
// On each connection (realtime.js) the page joins the post's room and asks
// data-live-url for the comments after the newest one it holds: what was written while
// it was offline appears once. Each "comment" event asks the same question (with
// again=<id> for a corrected one), so the cards are rendered by the server for this
// reader, with their own Edit and Delete buttons, and a comment already on the page is
// never added twice. Only the last page of comments (data-takes-new) takes new ones.
//
// While the socket is up, the comment form is sent as a new_comment event (the same
// service and rate limit as the form); a refusal is shown above the form and changes
// nothing. Without the socket, or without JavaScript, the form posts and the page
// reloads, as always.
(function () {
  "use strict";

  const section = document.querySelector('[data-live="post"]');
  const live = window.microblogRealtime;
  if (!section || !live) return;

  const postId = Number(section.dataset.postId);
  const list = section.querySelector(".comment-list");
  const heading = section.querySelector("#comments-heading");
  const takesNew = section.dataset.takesNew === "true";
  let asking = Promise.resolve();

  function newestId() {
    let newest = 0;
    list.querySelectorAll("article.comment").forEach(function (card) {
      newest = Math.max(newest, Number(card.id.replace("comment-", "")) || 0);
    });
    return newest;
  }

  function card(html) {
    const holder = document.createElement("div");
    holder.innerHTML = html; // the server's own rendering of a comment card
    return holder.firstElementChild;
  }

  function added(element) {
    element.dispatchEvent(new Event("content-added", { bubbles: true })); // local-time.js
  }

  function show(answer) {
    heading.textContent = answer.heading;
    answer.comments.forEach(function (comment) {
      const shown = document.getElementById("comment-" + comment.id);
      if (shown) {
        const fresh = card(comment.html);
        shown.replaceWith(fresh);
        added(fresh);
      } else if (takesNew && comment.id > newestId()) {
        const fresh = card(comment.html);
        list.append(fresh);
        added(fresh);
        const none = section.querySelector(".no-comments");
        if (none) none.remove();
      }
    });
  }

  // One question at a time, in order: each starts from what the last one showed.
  function ask(again) {
    asking = asking.then(function () {
      const query = "?after=" + newestId() + (again ? "&again=" + again : "");
      return fetch(section.dataset.liveUrl + query, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(show)
        .catch(function () {
          // offline again, or the post is gone: the next event or reconnection asks again
        });
    });
    return asking;
  }

  // data-joined: the room is joined (a test, or a curious reader, can tell).
  live.onConnect(function () {
    section.dataset.joined = "false";
    live.emit("join_post", { post_id: postId }).then(function (answer) {
      section.dataset.joined = String(Boolean(answer.ok));
      ask(0);
    });
  });

  document.addEventListener("realtime:comment", function (event) {
    const change = event.detail;
    if (change.post_id !== postId) return;
    if (change.action === "deleted") {
      const shown = document.getElementById("comment-" + change.id);
      if (shown) shown.remove();
    }
    ask(change.action === "edited" ? change.id : 0);
  });

  // The form, sent over the socket while it is up.
  const body = section.querySelector('form textarea[name="body"]');
  const form = body && body.form;
  if (!form) return;
  let problem = null;

  function say(words) {
    if (!problem) {
      problem = document.createElement("div");
      problem.className = "alert alert-danger";
      problem.setAttribute("role", "alert");
      form.before(problem);
    }
    problem.textContent = words;
  }

  form.addEventListener("submit", function (event) {
    if (!live.connected()) return; // the ordinary POST
    event.preventDefault();
    const button = form.querySelector("button[type=submit], input[type=submit]");
    if (button) button.disabled = true;
    live.emit("new_comment", { post_id: postId, body: body.value }).then(function (answer) {
      if (button) button.disabled = false;
      if (answer.ok) {
        body.value = "";
        if (problem) problem.remove();
        problem = null;
        ask(0);
      } else {
        say(answer.error || section.dataset.couldNotSend);
      }
    });
  });
})();
