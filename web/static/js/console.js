/* The console's own script (the CSP allows no inline script): charts from data attributes,
   forms that cannot be sent twice, confirmations, and "select all" in the dispatch queue. */
(function () {
  "use strict";

  function drawCharts(root) {
    if (!window.echarts) { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.drawn) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.on("finished", function () { el.dataset.drawn = "1"; });
      chart.setOption(JSON.parse(el.dataset.chart));
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }

  // A form is sent once: its buttons are disabled on submit (the server refuses a second
  // copy anyway, this spares the clerk the message).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    if (form.dataset.sent) { event.preventDefault(); return; }
    form.dataset.sent = "1";
    // After this turn: a button disabled now would drop its own name=value from the form.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    }, 0);
  });

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches("input[data-select-all]")) {
      document.querySelectorAll("input[name='" + box.dataset.selectAll + "']").forEach(function (b) {
        b.checked = box.checked;
      });
    }
  });

  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
})();
