/* Progressive enhancement for the "Cite" section: a copy button after each formatted citation.
   Without JavaScript (or without the Clipboard API) no button appears and the text can still be
   selected and copied by hand. */
(function () {
  "use strict";
  if (!navigator.clipboard || !window.isSecureContext) {
    return;
  }
  var citations = document.querySelectorAll(".citation[data-copy-label]");
  Array.prototype.forEach.call(citations, function (citation) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "copy-button";
    button.textContent = citation.getAttribute("data-copy-label");
    var status = document.createElement("span");
    status.className = "copy-status";
    status.setAttribute("role", "status");
    button.addEventListener("click", function () {
      var text = citation.textContent.replace(/\s+/g, " ").trim();
      navigator.clipboard.writeText(text).then(
        function () { status.textContent = "Copied"; },
        function () { status.textContent = "Copy failed: select the text and copy it instead"; }
      );
    });
    var wrapper = document.createElement("p");
    wrapper.appendChild(button);
    wrapper.appendChild(status);
    citation.insertAdjacentElement("afterend", wrapper);
  });
})();
