(function () {
  "use strict";
  var form = document.getElementById("filter");
  if (!form) {
    return;
  }
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input[type=checkbox]"));
  var findings = Array.prototype.slice.call(document.querySelectorAll("li.finding"));
  var groups = Array.prototype.slice.call(document.querySelectorAll("[data-group]"));
  var blocks = Array.prototype.slice.call(document.querySelectorAll("[data-findings]"));
  var status = document.getElementById("filter-status");

  function chosen(name) {
    var picked = {};
    var labels = [];
    boxes.forEach(function (box) {
      if (box.name === name && box.checked) {
        picked[box.value] = true;
        labels.push(box.value);
      }
    });
    return { picked: picked, labels: labels };
  }

  function apply() {
    var severity = chosen("severity");
    var state = chosen("status");
    var shown = 0;
    findings.forEach(function (item) {
      var visible = severity.picked[item.getAttribute("data-severity")] === true &&
        state.picked[item.getAttribute("data-status")] === true;
      item.hidden = !visible;
      if (visible) {
        shown += 1;
      }
    });
    groups.forEach(function (group) {
      group.hidden = group.querySelector("li.finding:not([hidden])") === null;
    });
    blocks.forEach(function (block) {
      var empty = block.querySelector("li.finding:not([hidden])") === null;
      var message = block.querySelector(".no-match");
      if (message) {
        message.hidden = !empty;
      }
    });
    status.textContent = "Showing " + shown + " of " + findings.length + " findings" +
      " (severity: " + (severity.labels.join(", ") || "none") +
      "; status: " + (state.labels.join(", ") || "none") + ").";
  }

  form.addEventListener("change", apply);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
  });
  document.getElementById("filter-reset").addEventListener("click", function () {
    boxes.forEach(function (box) {
      box.checked = true;
    });
    apply();
  });
  form.hidden = false;
  apply();
}());
