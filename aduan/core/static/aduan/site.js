/* Small behaviours of every page, kept out of the HTML so the Content-Security-Policy can refuse
   inline scripts and on*= handlers: a language menu that submits on change, print buttons, folded
   details opened for printing. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("[data-submit-on-change]") && target.form) target.form.submit();
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) window.print();
  });
  // Folded details (e.g. "Rincian per indikator") print open.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.setAttribute("open", "");
      details.setAttribute("data-print-opened", "");
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details[data-print-opened]").forEach(function (details) {
      details.removeAttribute("open");
      details.removeAttribute("data-print-opened");
    });
  });
})();
