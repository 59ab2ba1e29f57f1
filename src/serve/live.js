// greenroom serve: live reload and the build-problem overlay. The preview server adds this
// script to the HTML it serves; `greenroom build` output never contains it. The DOM is built
// with textContent only.
(function () {
  "use strict";
  var script = document.currentScript;
  var pageGeneration = script ? Number(script.getAttribute("data-generation")) : NaN;
  var boot = null;
  var overlay = null;

  function clear() {
    if (overlay && overlay.parentNode) {
      overlay.parentNode.removeChild(overlay);
    }
    overlay = null;
  }

  function show(title, errors) {
    clear();
    overlay = document.createElement("div");
    overlay.id = "greenroom-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText =
      "position:fixed;left:1rem;right:1rem;bottom:1rem;z-index:2147483647;max-height:50vh;" +
      "overflow:auto;background:#2b1111;color:#fbeaea;border-left:6px solid #e5484d;" +
      "border-radius:6px;padding:0.8rem 1rem;font:14px/1.45 ui-monospace,Menlo,Consolas,monospace;" +
      "box-shadow:0 6px 24px rgba(0,0,0,.4)";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "\u00d7";
    close.setAttribute("aria-label", "Hide");
    close.style.cssText =
      "float:right;background:none;border:0;color:inherit;font-size:1.4rem;cursor:pointer";
    close.addEventListener("click", clear);
    overlay.appendChild(close);
    var heading = document.createElement("strong");
    heading.textContent = title || "The last rebuild failed";
    overlay.appendChild(heading);
    var note = document.createElement("div");
    note.textContent = "This page is the last good build. Fix the problem and it reloads.";
    note.style.opacity = "0.8";
    overlay.appendChild(note);
    var list = document.createElement("ul");
    list.style.cssText = "margin:0.5rem 0 0;padding-left:1.2rem";
    (errors || []).forEach(function (problem) {
      var item = document.createElement("li");
      item.className = "greenroom-problem";
      if (problem.file) {
        var where = document.createElement("code");
        where.textContent = problem.file + (problem.line ? ":" + problem.line : "");
        where.style.cssText =
          "background:none;border:0;padding:0;color:#ffb4b4;font:inherit;font-weight:bold";
        item.appendChild(where);
        item.appendChild(document.createTextNode(" "));
      }
      item.appendChild(document.createTextNode(problem.message));
      list.appendChild(item);
    });
    overlay.appendChild(list);
    (document.body || document.documentElement).appendChild(overlay);
  }

  function parse(event) {
    try {
      return JSON.parse(event.data);
    } catch (e) {
      return {};
    }
  }

  if (!window.EventSource) {
    return;
  }
  var source = new EventSource("/__greenroom/events");
  source.addEventListener("status", function (event) {
    var status = parse(event);
    if (boot !== null && status.boot !== boot) {
      location.reload(); // the server restarted
      return;
    }
    boot = status.boot;
    if (status.ready && !isNaN(pageGeneration) && status.generation !== pageGeneration) {
      location.reload(); // the site changed while this tab was not listening
      return;
    }
    if (status.errors && status.errors.length) {
      show(status.title, status.errors);
    } else {
      clear();
    }
  });
  source.addEventListener("reload", function () {
    location.reload();
  });
  source.addEventListener("errors", function (event) {
    var status = parse(event);
    show(status.title, status.errors);
  });
  source.addEventListener("clear", clear);
  source.addEventListener("changed", function (event) {
    // Pages brought up to date in the background: reload only if this is one of them.
    var path = decodeURIComponent(location.pathname).replace(/^\//, "");
    if (path === "" || path.slice(-1) === "/") {
      path += "index.html";
    }
    var pages = parse(event).pages || [];
    if (pages.indexOf(path) >= 0) {
      location.reload();
    } else if (!isNaN(pageGeneration)) {
      pageGeneration = parse(event).generation;
    }
  });
})();
