// "3 new posts — show them" at the top of the home timeline and Explore.
//
// The page's socket (realtime.js) hears of each post published while the page is open:
// on Explore it joins the "explore" room; the home timeline hears, in its owner's
// room, the posts of the people they follow. Nothing moves by itself: a button counts
// them, and a click asks the timeline's own address for the page just newer than the
// newest post shown (?after=<its cursor>), takes its post cards and puts them at the
// top, keeping in view what the reader was looking at (the Mastodon and Twitter way,
// not a jump). Without JavaScript, a reload shows them.
(function () {
  "use strict";

  const holder = document.querySelector('[data-live="timeline"]');
  const live = window.microblogRealtime;
  if (!holder || !live) return;

  const button = holder.querySelector("button");
  const posts = document.querySelector("section.posts");
  const plural = new Intl.PluralRules(document.documentElement.lang || undefined);
  const waiting = new Set();

  function label() {
    const words = plural.select(waiting.size) === "one" ? holder.dataset.one : holder.dataset.other;
    button.textContent = words.replace("{n}", String(waiting.size));
    button.hidden = waiting.size === 0;
  }

  // data-joined: the room is joined (home's is the owner's, joined as the socket opens).
  live.onConnect(function () {
    holder.dataset.joined = "false";
    if (holder.dataset.timeline !== "explore") {
      holder.dataset.joined = "true";
      return;
    }
    live.emit("join_explore", {}).then(function (answer) {
      holder.dataset.joined = String(Boolean(answer.ok));
    });
  });

  document.addEventListener("realtime:new_post", function (event) {
    const id = event.detail.id;
    if (document.getElementById("post-" + id)) return;
    waiting.add(id);
    label();
  });

  // The first card the reader can see, and where it is: after the insertion, the page
  // is scrolled by however far it moved.
  function anchor() {
    const cards = posts.querySelectorAll("article.post");
    for (const card of cards) {
      const top = card.getBoundingClientRect().top;
      if (card.getBoundingClientRect().bottom > 0) return { card: card, top: top };
    }
    return null;
  }

  function insert(html) {
    const page = new DOMParser().parseFromString(html, "text/html");
    const found = page.querySelectorAll("section.posts article.post");
    const newer = page.querySelector('[data-live="timeline"]');
    const kept = window.scrollY > 0 ? anchor() : null;
    const first = posts.firstElementChild;
    let added = 0;
    found.forEach(function (card) {
      if (document.getElementById(card.id)) return;
      const adopted = document.adoptNode(card);
      posts.insertBefore(adopted, first);
      adopted.dispatchEvent(new Event("content-added", { bubbles: true })); // local-time.js
      added += 1;
    });
    if (kept) window.scrollBy(0, kept.card.getBoundingClientRect().top - kept.top);
    if (newer && newer.dataset.newest) holder.dataset.newest = newer.dataset.newest;
    const none = posts.querySelector("p.text-body-secondary");
    if (added && none) none.remove();
  }

  button.addEventListener("click", function () {
    const newest = holder.dataset.newest;
    const url = holder.dataset.url + (newest ? "?after=" + encodeURIComponent(newest) : "");
    button.disabled = true;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        insert(html);
        waiting.clear();
        label();
      })
      .catch(function () {
        // offline: the button stays, and a click tries again
      })
      .finally(function () {
        button.disabled = false;
      });
  });
})();
