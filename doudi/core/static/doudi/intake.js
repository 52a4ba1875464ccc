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

// Lookups as the person types: each field named in the page's "intake-lookups" JSON (from the
// server, so no inline script is needed) fetches a fragment into its target. A POST carries the
// whole form with its CSRF token; a GET only the field's value.
document.addEventListener("DOMContentLoaded", function () {
  var config = document.getElementById("intake-lookups");
  if (!config) return;
  JSON.parse(config.textContent).forEach(function (lookup) {
    var input = document.querySelector("[name=" + lookup.name + "]");
    var target = document.querySelector(lookup.target);
    if (!input || !target) return;
    var timer;
    var last;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (input.value === last) return;
        last = input.value;
        var request = lookup.post
          ? fetch(lookup.url, { method: "POST", body: new FormData(input.form) })
          : fetch(lookup.url + "?" + new URLSearchParams([[lookup.name, input.value]]));
        request
          .then(function (response) { return response.ok ? response.text() : ""; })
          .then(function (html) { target.innerHTML = html; })
          .catch(function () { /* offline for a moment: the next keystroke tries again */ });
      }, 250);
    });
  });
});

