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

  // Short messages for screen readers go through the page's one live region.
  function announce(text) {
    var region = document.getElementById("announce");
    if (!region) return;
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  // Facet values are links that act as check boxes: Space ticks them, as it
  // ticks a check box, instead of scrolling the page.
  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (e.key !== " " || !el || el.getAttribute("role") !== "checkbox" || el.tagName !== "A") return;
    e.preventDefault();
    el.click();
  });

  // Copy buttons of the citations (without JavaScript the text is there to select).
  function enableCopy(root) {
    if (!navigator.clipboard && !document.queryCommandSupported) return;
    Array.prototype.forEach.call(root.querySelectorAll("button.copy[data-copy]"), function (button) {
      if (!button.hidden) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = document.getElementById(button.getAttribute("data-copy"));
        var status = button.parentNode.querySelector(".copy-status");
        if (!text) return;
        var done = function () {
          if (status) status.textContent = "已复制";
          announce("引文已复制");
        };
        var fallback = function () {
          var range = document.createRange();
          range.selectNodeContents(text);
          var sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
          try { if (document.execCommand("copy")) done(); } catch (e) { /* leave it selected */ }
        };
        if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text.textContent).then(done, fallback);
        else fallback();
      });
    });
  }
  enableCopy(document);

  // Related words load when their panel is opened (they cost more than a search).
  function enableRelated(root) {
    var panel = root.querySelector("details.related[data-terms]");
    if (!panel || !window.fetch || !window.DOMParser) return;
    panel.addEventListener("toggle", function () {
      if (!panel.open || panel.getAttribute("data-loaded")) return;
      panel.setAttribute("data-loaded", "1");
      fetch(panel.getAttribute("data-terms"), { headers: { Accept: "text/html" } })
        .then(function (r) { return r.text(); })
        .then(function (html) {
          var terms = new DOMParser().parseFromString(html, "text/html").getElementById("terms");
          if (terms) panel.appendChild(document.importNode(terms, true));
        })
        .catch(function () { /* the link stays */ });
    });
  }
  enableRelated(document);

  var form = document.getElementById("search-form");
  var results = document.getElementById("results");
  if (!form || !input || !results || !window.fetch || !window.DOMParser || !window.URLSearchParams) return;

  // On a phone the facet panel starts closed; once the user opens it, it stays
  // open while results change and across pages of this tab, so that several
  // values can be picked one after another.
  var narrow = window.matchMedia && window.matchMedia("(max-width: 700px)").matches;
  var remembered = null;
  try { remembered = window.sessionStorage.getItem("zhsearch.panel"); } catch (e) { /* storage off */ }
  var panelOpen = remembered ? remembered === "open" : !narrow;
  function applyPanel() {
    var panel = results.querySelector(".facet-panel");
    if (!panel) return;
    panel.open = panelOpen;
    panel.addEventListener("toggle", function () {
      panelOpen = panel.open;
      try { window.sessionStorage.setItem("zhsearch.panel", panelOpen ? "open" : "closed"); } catch (e) { /* storage off */ }
    });
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
  function show(url, history_, refocus) {
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    results.setAttribute("aria-busy", "true");
    fetch(url, { signal: controller && controller.signal, headers: { Accept: "text/html" } })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById("results");
        if (!fresh) { window.location.assign(url); return; } // an error page: show it whole
        // the result summary is the live region: keep its element, change its words
        var summary = results.querySelector("#summary");
        results.innerHTML = fresh.innerHTML;
        var freshSummary = results.querySelector("#summary");
        if (summary && freshSummary) {
          summary.innerHTML = freshSummary.innerHTML;
          freshSummary.replaceWith(summary);
        }
        ["form-state", "json-link"].forEach(function (id) {
          var mine = document.getElementById(id), theirs = doc.getElementById(id);
          if (mine && theirs) mine.replaceWith(document.importNode(theirs, true));
        });
        document.title = doc.title;
        var h1 = document.getElementById("results-title"), freshH1 = doc.getElementById("results-title");
        if (h1 && freshH1) h1.textContent = freshH1.textContent;
        if (history_ === "push") window.history.pushState({ typed: true }, "", url);
        else if (history_ === "replace") window.history.replaceState({ typed: true }, "", url);
        applyPanel();
        enableRelated(results);
        results.removeAttribute("aria-busy");
        if (refocus) refocus();
        enableCopy(results);
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
  // Facet values, chips, chart bars and tiles, sort and pages: the new results
  // replace the old in place (the filter panel stays as it was), and the
  // keyboard focus returns to the link of the same value.
  results.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    var link = e.target.closest && e.target.closest("a");
    if (!link || link.hasAttribute("download") || link.closest(".hit h3") || link.closest(".cite")) return;
    var href = link.getAttribute("href") || link.getAttribute("xlink:href");
    if (!href) return;
    var target = new URL(href, window.location.href);
    if (target.origin !== window.location.origin || target.pathname !== form.getAttribute("action")) return;
    e.preventDefault();
    var key = linkKey(link);
    var paging = !!link.closest(".pagination");
    input.value = target.searchParams.get("q") || "";
    show(target.pathname + target.search, "push", function () {
      if (paging) { results.scrollIntoView(); focusResults(); return; }
      var same = Array.prototype.filter.call(results.querySelectorAll("a"), function (a) {
        return linkKey(a) === key;
      })[0];
      // the link of the same value where there still is one (a facet value,
      // a bar); else (a chip that removed itself) the results, never <body>
      if (same) same.focus();
      else focusResults();
    });
  });

  // What a link stands for, the same before and after its counts change:
  // its facet or chart and its value.
  function linkKey(a) {
    var f = a.closest("[data-facet]"), chart = a.closest(".chart");
    // a chart's bar and the facet list's value of the same year are two controls
    var where = (chart ? "chart " + chart.className + " " : "") + (f ? f.getAttribute("data-facet") : "");
    var label = a.querySelector(".facet-label");
    var value = a.getAttribute("data-value") || (label ? label.textContent : a.textContent);
    return where + "|" + value;
  }

  function focusResults() {
    var summary = results.querySelector("#summary");
    if (summary) { summary.setAttribute("tabindex", "-1"); summary.focus(); }
    else results.focus();
  }

  window.addEventListener("popstate", function () {
    input.value = new URLSearchParams(window.location.search).get("q") || "";
    show(window.location.href, null);
  });
})();
