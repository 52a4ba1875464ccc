// Small behaviours shared by every page. The content security policy allows no inline script,
// so what would be an onclick or onchange attribute is a data attribute handled here.

// Ctrl+Enter submits a form marked data-submit-on-ctrl-enter (the clerk's intake form).
document.addEventListener("keydown", function (event) {
  if (!(event.ctrlKey && event.key === "Enter")) return;
  var form = event.target.closest && event.target.closest("form[data-submit-on-ctrl-enter]");
  if (form) form.requestSubmit();
});

// A select marked data-autosubmit submits its form when changed (language, month).
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});

// A button marked data-print prints the page (receipts, work-order sheets).
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) window.print();
});
