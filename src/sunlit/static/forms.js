// After a form comes back with errors, move the focus to them: the first field marked invalid
// (its error text is read with it, through aria-describedby), or else the error message itself.
// A keyboard or screen-reader user then starts where the problem is, not at the top of the page.
(function () {
  "use strict";
  function focusErrors(root) {
    var field = root.querySelector("main [aria-invalid='true']");
    var alert = root.querySelector("main .alert[role='alert']");
    var target = field || alert;
    if (!target) return;
    if (target === alert && !alert.hasAttribute("tabindex")) alert.setAttribute("tabindex", "-1");
    target.focus();
  }
  document.addEventListener("DOMContentLoaded", function () { focusErrors(document); });
  // Choosing "a new address" at checkout opens the folded form for it.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input && input.name === "saved" && input.value === "new" && input.form) {
      var folded = input.form.querySelector("details.new-address");
      if (folded) folded.open = true;
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var swapped = event.target;
    if (swapped && swapped.querySelector && swapped.querySelector("[aria-invalid='true'], .alert[role='alert']")) {
      focusErrors(document);
    }
  });
})();
