// Verification page: poll the running verification's progress every 2 s; reload when done.
(function () {
  "use strict";
  function start() {
    var box = document.getElementById("verification-progress");
    if (!box) return;
    var bar = box.querySelector("progress");
    var field = function (name) { return box.querySelector('[data-field="' + name + '"]'); };
    function poll() {
      fetch(box.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (run) {
          if (run.finished) { window.location.reload(); return; }
          bar.max = Math.max(run.total, 1);
          bar.value = run.done;
          field("state").textContent = run.state_label;
          field("count").textContent = run.done + " / " + run.total;
          field("phase").textContent = run.phase;
          window.setTimeout(poll, 2000);
        })
        .catch(function () { window.setTimeout(poll, 2000); });
    }
    window.setTimeout(poll, 2000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
