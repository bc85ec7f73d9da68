// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Dropdown menus are <details>: close them on Escape or a click elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (!menu.contains(event.target)) menu.removeAttribute("open");
    });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      menu.removeAttribute("open");
      menu.querySelector("summary").focus();
    });
  });

  // <select data-autosubmit> submits its form when changed (filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("[data-autosubmit]") && el.form) el.form.requestSubmit();
  });

  // <form data-draft="key">: what the person types is kept in this browser until the form is sent, so a closed tab
  // or a dropped connection loses nothing. data-draft-restore (an empty form) brings a kept draft back.
  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "submit" && el.type !== "button" && el.type !== "hidden";
    });
  }
  function saveDraft(form) {
    var data = {};
    draftFields(form).forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) (data[el.name] = data[el.name] || []).push(el.value);
      } else {
        data[el.name] = el.value;
      }
    });
    try { localStorage.setItem("leeway:draft:" + form.dataset.draft, JSON.stringify(data)); } catch (e) { /* storage full or off */ }
  }
  function restoreDraft(form) {
    var raw = null;
    try { raw = localStorage.getItem("leeway:draft:" + form.dataset.draft); } catch (e) { return; }
    if (!raw) return;
    var data = JSON.parse(raw);
    draftFields(form).forEach(function (el) {
      if (!(el.name in data)) return;
      if (el.type === "checkbox" || el.type === "radio") el.checked = data[el.name].indexOf(el.value) !== -1;
      else el.value = data[el.name];
    });
    var status = form.querySelector("[data-draft-status]");
    if (status) status.hidden = false;
    // Let the live hints (htmx) catch up with the restored values.
    draftFields(form).forEach(function (el) { if (el.value) el.dispatchEvent(new Event("change", { bubbles: true })); });
  }
  document.querySelectorAll("form[data-draft]").forEach(function (form) {
    if (form.hasAttribute("data-draft-restore")) restoreDraft(form);
    form.addEventListener("input", function () { saveDraft(form); });
    form.addEventListener("change", function () { saveDraft(form); });
    form.addEventListener("submit", function () {
      try { localStorage.removeItem("leeway:draft:" + form.dataset.draft); } catch (e) { /* nothing kept */ }
    });
    var discard = form.querySelector("[data-draft-discard]");
    if (discard) discard.addEventListener("click", function () {
      try { localStorage.removeItem("leeway:draft:" + form.dataset.draft); } catch (e) { /* nothing kept */ }
      form.reset();
      form.querySelector("[data-draft-status]").hidden = true;
      form.querySelector("textarea, select, input:not([type=hidden])").focus();
    });
  });
})();
