/* Progressive enhancement for the faceted listings; the pages work fully without it.
   Long facet lists (contributors, countries) start with eight values and a "Show all" button.
   Selected values are never hidden. */
(function () {
  "use strict";
  var LIMIT = 8;
  document.querySelectorAll(".facet__values").forEach(function (list) {
    var items = list.querySelectorAll("li");
    if (items.length <= LIMIT + 2) { return; }
    for (var i = LIMIT; i < items.length; i++) {
      if (items[i].querySelector("input:checked")) { return; }
    }
    list.classList.add("facet__values--collapsed");
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button--secondary facet__more";
    button.setAttribute("aria-expanded", "false");
    button.textContent = "Show all " + items.length;
    button.addEventListener("click", function () {
      var collapsed = list.classList.toggle("facet__values--collapsed");
      button.setAttribute("aria-expanded", collapsed ? "false" : "true");
      button.textContent = collapsed ? "Show all " + items.length : "Show fewer";
    });
    list.insertAdjacentElement("afterend", button);
  });
})();
