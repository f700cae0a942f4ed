// Back office, video sessions: a proposed time is read in the browser's time zone. Without
// this script the form says the time is UTC, and the server reads it so.
(function () {
  "use strict";
  document.querySelectorAll("form.propose").forEach(function (form) {
    var tz = form.querySelector("input[data-tz]");
    var at = form.querySelector("input[type=datetime-local]");
    if (!tz || !at) {
      return;
    }
    var zone = document.getElementById(at.id + "-zone");
    if (zone && zone.dataset.local) {
      zone.textContent = zone.dataset.local;
    }
    // The offset of the chosen day, not of today: daylight saving time may differ.
    var set = function () {
      var d = at.value ? new Date(at.value) : new Date();
      tz.value = String(isNaN(d.getTime()) ? new Date().getTimezoneOffset() : d.getTimezoneOffset());
    };
    set();
    at.addEventListener("change", set);
    form.addEventListener("submit", set);
  });
})();
