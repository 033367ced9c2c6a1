// "Translate" under a post or a comment written in another language than the reader's.
//
// A click sends a POST to the button's data-translate-url (the post's or comment's id:
// the server reads the words itself), with the page's CSRF token in the X-CSRFToken
// header, asking for JSON. The answer's "html" (rendered and sanitised by the server,
// as the original was) takes the place of the element marked data-translatable="body"
// in the same <article>, and its "title" that of data-translatable="title", if any. The
// button then says "Show original", which puts the original back, kept in memory; a
// second "Translate" shows the kept translation without asking again. When it fails
// the server's message (a JSON problem body, translated) is shown beside the button.
// Texts come from this script tag's data-* attributes, translated like the page.
(function () {
  "use strict";
  const texts = document.currentScript.dataset;
  const token = document.querySelector('meta[name="csrf-token"]');
  const states = new WeakMap(); // button -> { original, translated, showing }

  function parts(button) {
    const article = button.closest("article");
    return {
      body: article.querySelector('[data-translatable="body"]'),
      title: article.querySelector('[data-translatable="title"]'),
    };
  }

  function show(button, html, title) {
    const found = parts(button);
    found.body.innerHTML = html; // sanitised by the server, as the original was
    if (found.title && title !== null && title !== undefined) {
      found.title.textContent = title;
    }
    found.body.dispatchEvent(new Event("content-added", { bubbles: true }));
  }

  async function ask(button) {
    const response = await fetch(button.dataset.translateUrl, {
      method: "POST",
      headers: {
        Accept: "application/json",
        "X-CSRFToken": token ? token.content : "",
      },
      credentials: "same-origin",
    });
    let answer = null;
    try {
      answer = await response.json();
    } catch (error) {
      answer = null;
    }
    if (!response.ok || !answer || typeof answer.html !== "string") {
      throw new Error((answer && answer.detail) || texts.failed);
    }
    return answer;
  }

  async function toggle(button) {
    const status = button.parentElement.querySelector(".translate-status");
    let state = states.get(button);
    if (state && state.showing) {
      show(button, state.original.html, state.original.title);
      state.showing = false;
      button.textContent = texts.translate;
      return;
    }
    if (!state) {
      const found = parts(button);
      state = {
        original: {
          html: found.body.innerHTML,
          title: found.title ? found.title.textContent : null,
        },
        translated: null,
        showing: false,
      };
      states.set(button, state);
    }
    status.textContent = "";
    if (!state.translated) {
      button.disabled = true;
      button.textContent = texts.translating;
      try {
        state.translated = await ask(button);
      } catch (error) {
        status.textContent = error.message || texts.failed;
        button.textContent = texts.translate;
        return;
      } finally {
        button.disabled = false;
      }
    }
    show(button, state.translated.html, state.translated.title);
    state.showing = true;
    button.textContent = texts.showOriginal;
  }

  document.addEventListener("click", function (event) {
    const button =
      event.target instanceof Element
        ? event.target.closest(".translate-button")
        : null;
    if (!button) return;
    event.preventDefault();
    toggle(button);
  });
})();
