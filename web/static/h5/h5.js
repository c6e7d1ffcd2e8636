// The citizens' pages work without this file; it adds the browser's location, keeps the
// chat scrolled and its input cleared, and removes feedback buttons once used.
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  // "使用我当前的位置": only offered where the browser can ask for it.
  var locate = byId("locate");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      var status = byId("locate-status");
      status.textContent = locate.dataset.locating;
      navigator.geolocation.getCurrentPosition(function (position) {
        var lat = position.coords.latitude.toFixed(5), lon = position.coords.longitude.toFixed(5);
        byId("lat").value = lat;
        byId("lon").value = lon;
        status.textContent = locate.dataset.located.replace("{lat}", lat).replace("{lon}", lon);
      }, function () {
        status.textContent = locate.dataset.failed;
      }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
    });
  }

  // The photo picker: the page's own button and the chosen names, in the page's language.
  var photos = byId("photos");
  var chosen = byId("photos-chosen");
  var button = document.querySelector(".file-button");
  if (photos && chosen && button) {
    photos.classList.add("js-file");
    button.hidden = false;
    var show = function () {
      var names = Array.prototype.map.call(photos.files, function (f) { return f.name; });
      if (names.length > 3) {
        chosen.textContent = chosen.dataset.tooMany;
      } else if (names.length) {
        chosen.textContent = chosen.dataset.some.replace("{count}", names.length).replace("{names}", names.join("、"));
      } else {
        chosen.textContent = chosen.dataset.none;
      }
    };
    photos.addEventListener("change", show);
    show();
  }

  document.body.addEventListener("htmx:afterRequest", function (event) {
    var source = event.detail.elt;
    if (!event.detail.successful) { return; }
    if (source && source.id === "ask") { source.reset(); byId("q").focus(); }
    // One answer per question: the 解决了/没解决 buttons go once pressed.
    var feedback = source && source.closest ? source.closest("form.feedback") : null;
    if (feedback) { feedback.remove(); }
  });

  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "chat") {
      var last = event.detail.target.lastElementChild;
      // At once (no smooth scrolling): cheap phones stutter, and the answer must be in view.
      if (last) { last.scrollIntoView({ block: "start" }); }
    }
  });
})();
