// The intake form shows the fields that apply: company fields for a company, no identity
// fields for an anonymous report. Nothing is cleared, so a change of mind loses nothing.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("[data-intake]");
  if (!form) return;
  var update = function () {
    var kind = form.querySelector("[name=reporter_kind]:checked");
    var anonymous = form.querySelector("[name=is_anonymous]");
    var company = kind && kind.value === "company";
    var hidden = anonymous && anonymous.checked;
    form.querySelectorAll("[data-show-for]").forEach(function (el) {
      var wanted = el.getAttribute("data-show-for");
      var show = !hidden && (wanted === "any" || (wanted === "company") === company);
      el.classList.toggle("d-none", !show);
    });
  };
  form.addEventListener("change", update);
  update();
});
