// Hover cards: rest the pointer on a username or an avatar marked data-user-card="name"
// for half a second, or reach the name with the keyboard, and a card about that person
// opens beside it, with a Follow button that works in place.
//
// The card is an HTML fragment the server renders (GET /user/<name>/popup); this
// script only fetches it, once per person and page (a Map of promises, so two hovers
// of the same name share one request), puts it right after the name (so Tab goes on
// into it) and positions it. Its Follow form is sent with fetch, asking for JSON, and
// the button and the follower count change from the answer. The delays matter:
//   - OPEN_DELAY: a pointer crossing a timeline passes over many names; only one it
//     rests on is meant, and no request is made for the others;
//   - CLOSE_DELAY: the grace period for the pointer to travel from the name into the
//     card (leaving the name does not close it at once).
// Escape closes the card (the focus goes back to the name if it was inside). On a
// touch screen a tap is a click: it opens the profile, as without this script. Texts
// come from the script tag's data-* attributes, translated like the rest of the page.
(function () {
  "use strict";
  const texts = document.currentScript.dataset;
  const OPEN_DELAY = 500;
  const CLOSE_DELAY = 300;
  const GAP = 6; // pixels between the name and its card
  const MARGIN = 8; // the least room kept between the card and the window's edge

  const cards = new Map(); // name -> Promise of its card element
  let open = null; // { trigger, card } while a card is shown
  let pending = null; // the trigger whose card is about to open
  let opening = 0;
  let closing = 0;
  let hovered = null; // the trigger or card under the pointer
  let usingPointer = false; // the last input was a pointer (a focus it caused is not a request)
  let quiet = null; // the trigger the focus is being given back to: do not reopen

  function popupUrl(name) {
    return texts.popupUrl.replace("_username_", encodeURIComponent(name));
  }

  function makeCard(name, html) {
    const card = document.createElement("div");
    card.className = "user-popup card shadow p-3";
    card.setAttribute("role", "dialog");
    card.setAttribute("aria-label", name);
    if (html === null) {
      const message = document.createElement("p");
      message.className = "mb-0 text-danger small";
      message.textContent = texts.couldNotLoad;
      card.append(message);
    } else {
      card.innerHTML = html; // our own server's fragment, escaped by its templates
    }
    card.addEventListener("submit", follow);
    return card;
  }

  function cardFor(name) {
    if (!cards.has(name)) {
      const loading = fetch(popupUrl(name), {
        headers: { Accept: "text/html" },
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.text();
        })
        .then(function (html) {
          return makeCard(name, html);
        })
        .catch(function () {
          cards.delete(name); // the next hover tries again
          return makeCard(name, null);
        });
      cards.set(name, loading);
    }
    return cards.get(name);
  }

  function soon(trigger) {
    if (pending === trigger) return;
    window.clearTimeout(opening);
    pending = trigger;
    opening = window.setTimeout(function () {
      cardFor(trigger.dataset.userCard).then(function (card) {
        if (pending !== trigger) return; // the pointer or the focus left meanwhile
        pending = null;
        show(trigger, card);
      });
    }, OPEN_DELAY);
  }

  function notSoon() {
    window.clearTimeout(opening);
    pending = null;
  }

  function show(trigger, card) {
    if (open && open.card !== card) close();
    stopClosing();
    trigger.after(card);
    open = { trigger: trigger, card: card };
    place(card, trigger);
    card.dispatchEvent(new Event("content-added", { bubbles: true })); // local-time.js
  }

  // Below the name, or above it when the window has no room below; never past an edge.
  function place(card, trigger) {
    const parent = card.offsetParent || document.body;
    const origin = parent.getBoundingClientRect();
    const name = trigger.getBoundingClientRect();
    const height = card.offsetHeight;
    let top = name.bottom + GAP;
    if (top + height > window.innerHeight && name.top - GAP - height > 0) {
      top = name.top - GAP - height;
    }
    const widest = document.documentElement.clientWidth - card.offsetWidth - MARGIN;
    const left = Math.max(MARGIN, Math.min(name.left, widest));
    card.style.top = top - origin.top - parent.clientTop + parent.scrollTop + "px";
    card.style.left = left - origin.left - parent.clientLeft + parent.scrollLeft + "px";
  }

  function stopClosing() {
    window.clearTimeout(closing);
    closing = 0;
  }

  function close() {
    stopClosing();
    if (!open) return;
    open.card.remove();
    open = null;
  }

  function closeSoon() {
    stopClosing();
    closing = window.setTimeout(close, CLOSE_DELAY);
  }

  function within(element) {
    return element instanceof Element
      ? element.closest(".user-popup, [data-user-card]")
      : null;
  }

  document.addEventListener(
    "pointerdown",
    function () {
      usingPointer = true;
    },
    true,
  );

  document.addEventListener("pointerover", function (event) {
    if (event.pointerType === "touch") return; // a tap opens the profile
    const target = within(event.target);
    hovered = target;
    if (!target) {
      // Anywhere else: the card closes after the grace period (also when the browser,
      // busy, reported no pointerout for the card).
      if (open && !closing) closeSoon();
      return;
    }
    if (target.matches(".user-popup")) {
      if (open && open.card === target) stopClosing();
      return;
    }
    if (open && open.trigger === target) {
      stopClosing();
    } else {
      soon(target);
    }
  });

  document.addEventListener("pointerout", function (event) {
    if (event.pointerType === "touch") return;
    const from = within(event.target);
    if (!from || from.contains(event.relatedTarget)) return;
    hovered = null;
    if (pending === from) notSoon();
    if (open) closeSoon();
  });

  document.addEventListener("focusin", function (event) {
    const target = within(event.target);
    if (!target) return;
    if (target.matches(".user-popup")) {
      stopClosing();
      return;
    }
    if (quiet === target) {
      quiet = null;
      return;
    }
    if (usingPointer) return; // clicked or tapped: the hover (if any) has its own timer
    if (open && open.trigger === target) {
      stopClosing();
    } else {
      soon(target);
    }
  });

  document.addEventListener("focusout", function (event) {
    const from = within(event.target);
    if (!from) return;
    const to = event.relatedTarget;
    if (open && (open.card.contains(to) || open.trigger.contains(to))) return;
    if (pending === from && !hovered) notSoon();
    if (open && !hovered) closeSoon();
  });

  document.addEventListener("keydown", function (event) {
    usingPointer = false;
    if (event.key !== "Escape") return;
    notSoon();
    if (!open) return;
    const trigger = open.trigger;
    const focusWasInside = open.card.contains(document.activeElement);
    close();
    if (focusWasInside) {
      quiet = trigger;
      trigger.focus();
    }
  });

  // The card's Follow or Unfollow button: sent with fetch, the card changed in place.
  async function follow(event) {
    const form = event.target.closest("form.follow-form");
    if (!form) return;
    event.preventDefault(); // also tells submit-once.js to leave this form alone
    if (form.dataset.sending) return;
    const card = event.currentTarget;
    const button = form.querySelector("button");
    const status = card.querySelector(".follow-error");
    form.dataset.sending = "yes"; // not disabled: the focus stays on the button
    button.setAttribute("aria-busy", "true");
    let response = null;
    let answer = null;
    try {
      response = await fetch(form.action, {
        method: "POST",
        body: new FormData(form), // with the CSRF token
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      answer = await response.json();
    } catch {
      answer = null; // offline, or an answer that is not ours (a login page, a proxy's)
    } finally {
      delete form.dataset.sending;
      button.removeAttribute("aria-busy");
    }
    if (!response || !response.ok || !answer || typeof answer.following !== "boolean") {
      status.textContent = (answer && answer.detail) || texts.couldNotFollow;
      return;
    }
    status.textContent = "";
    const following = answer.following;
    form.action = following ? form.dataset.unfollowUrl : form.dataset.followUrl;
    button.textContent = following ? form.dataset.unfollowLabel : form.dataset.followLabel;
    button.classList.toggle("btn-primary", !following);
    button.classList.toggle("btn-outline-primary", following);
    card.querySelector(".follower-count").textContent = answer.followers_text;
  }
})();
