// Show only the start-record fields of the chosen start mode (all of them without JS).
document.addEventListener("DOMContentLoaded", function () {
  var radios = document.querySelectorAll('input[name="start_mode"]');
  var sections = document.querySelectorAll("[data-start-mode]");
  function update() {
    var chosen = document.querySelector('input[name="start_mode"]:checked');
    sections.forEach(function (section) {
      section.hidden = chosen !== null && section.dataset.startMode !== chosen.value;
    });
  }
  radios.forEach(function (radio) { radio.addEventListener("change", update); });
  update();
});
