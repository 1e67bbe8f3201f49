/* zhsearch: progressive enhancement of the search page. Without it every
   state is still a plain link; with it results follow the typing, and the
   back button walks through the searches. */
(function () {
  "use strict";

  var input = document.getElementById("q");

  function isTextField(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  // "/" focuses the search box, as on many search sites.
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey || !input || isTextField(document.activeElement)) return;
    e.preventDefault();
    input.focus();
    input.select();
  });

  var form = document.getElementById("search-form");
  var results = document.getElementById("results");
  if (!form || !input || !results || !window.fetch || !window.DOMParser || !window.URLSearchParams) return;

  // On a phone the facet panel starts closed; the user's choice is kept while results change.
  var narrow = window.matchMedia && window.matchMedia("(max-width: 700px)").matches;
  var panelOpen = !narrow;
  function applyPanel() {
    var panel = results.querySelector(".facet-panel");
    if (!panel) return;
    panel.open = panelOpen;
    panel.addEventListener("toggle", function () { panelOpen = panel.open; });
  }
  applyPanel();

  var DELAY = 250;
  var timer = null;
  var controller = null;

  function formUrl() {
    var params = new URLSearchParams(new FormData(form));
    if (!params.get("q")) params.delete("q");
    var qs = params.toString();
    return form.getAttribute("action") + (qs ? "?" + qs : "");
  }

  // Fetch a results page and put its results (and the form's hidden state) in place.
  function show(url, history_) {
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    results.setAttribute("aria-busy", "true");
    fetch(url, { signal: controller && controller.signal, headers: { Accept: "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("results");
        if (!fresh) { window.location.assign(url); return; } // an error page: show it whole
        results.innerHTML = fresh.innerHTML;
        ["form-state", "json-link"].forEach(function (id) {
          var mine = document.getElementById(id), theirs = doc.getElementById(id);
          if (mine && theirs) mine.replaceWith(document.importNode(theirs, true));
        });
        document.title = doc.title;
        if (history_ === "push") window.history.pushState({ typed: true }, "", url);
        else if (history_ === "replace") window.history.replaceState({ typed: true }, "", url);
        applyPanel();
        results.removeAttribute("aria-busy");
      })
      .catch(function (err) {
        if (err && err.name === "AbortError") return;
        window.location.assign(url); // let the browser show whatever went wrong
      });
  }

  // One history entry per burst of typing: the first change pushes, the rest replace.
  function update() {
    clearTimeout(timer);
    var url = formUrl();
    if (url === window.location.pathname + window.location.search) return;
    var state = window.history.state;
    show(url, state && state.typed ? "replace" : "push");
  }

  input.addEventListener("input", function (e) {
    if (e.isComposing) return; // wait for the IME to finish a Chinese word
    clearTimeout(timer);
    timer = setTimeout(update, DELAY);
  });
  input.addEventListener("compositionend", function () {
    clearTimeout(timer);
    timer = setTimeout(update, DELAY);
  });
  input.addEventListener("blur", function () {
    // a new burst of typing later starts a new history entry
    if (window.history.state && window.history.state.typed) window.history.replaceState(null, "");
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    update();
  });
  window.addEventListener("popstate", function () {
    input.value = new URLSearchParams(window.location.search).get("q") || "";
    show(window.location.href, null);
  });
})();
