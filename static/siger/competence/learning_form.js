// "Catat pembelajaran lain": offer only the units the chosen form converts (the server checks again).
(function () {
  "use strict";
  var data = document.getElementById("units-of-form");
  var form = document.getElementById("id_form");
  var unit = document.getElementById("id_unit");
  if (!data || !form || !unit) return;
  var units = JSON.parse(data.textContent);
  function refresh() {
    var allowed = units[form.value];
    var firstAllowed = null;
    Array.prototype.forEach.call(unit.options, function (option) {
      var ok = !allowed || allowed.indexOf(option.value) !== -1;
      option.hidden = !ok;
      option.disabled = !ok;
      if (ok && firstAllowed === null) firstAllowed = option;
    });
    if (unit.selectedOptions.length && unit.selectedOptions[0].disabled && firstAllowed) {
      firstAllowed.selected = true;
    }
  }
  form.addEventListener("change", refresh);
  refresh();
})();
