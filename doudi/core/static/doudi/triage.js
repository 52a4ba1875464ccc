// A routing suggestion fills its field in the triage form when clicked; the task force still
// decides and saves.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-suggest-for]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-suggest-for"));
  if (!field) return;
  field.value = button.getAttribute("data-suggest-value");
  field.dispatchEvent(new Event("change", { bubbles: true }));
});
