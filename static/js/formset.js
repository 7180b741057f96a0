/* "Add a topic" for the agenda formset: clones the hidden empty form. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-formset-add]");
    if (!button) { return; }
    event.preventDefault();
    var prefix = button.dataset.formsetAdd;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty-form");
    var list = document.getElementById(prefix + "-forms");
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var wrapper = document.createElement("div");
    wrapper.innerHTML = html.trim();
    var row = wrapper.firstElementChild;
    list.appendChild(row);
    total.value = String(index + 1);
    var input = row.querySelector("input[type=text]");
    if (input) { input.focus(); }
  });
})();
