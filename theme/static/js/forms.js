/*
 * Progressive enhancement for the JTec forms. Without JavaScript a form posts, and the API answers
 * with a 303 to a thank-you page, a page of its own, or an HTML error page. With it, the form posts JSON with fetch,
 * shows the API's own error messages in the GOV.UK pattern (summary, then each field), and moves
 * focus to the error summary or the confirmation.
 */
(function () {
  "use strict";

  var GENERIC_FAILURE = "Sorry, we could not send this. Check your connection and try again.";

  function tokenFromAddress() {
    var match = /[?&]token=([^&]+)/.exec(window.location.search);
    return match ? decodeURIComponent(match[1].replace(/\+/g, " ")) : "";
  }

  function collect(form) {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.disabled) { return; }
      if (element.type === "checkbox") {
        if (element.checked) { data[element.name] = true; }
      } else if (element.type === "radio") {
        if (element.checked) { data[element.name] = element.value; }
      } else if (element.value !== "" || element.required) {
        data[element.name] = element.value;
      }
    });
    return data;
  }

  // GOV.UK: a field's aria-describedby lists its hint, then its error message while it has one.
  function describeBy(control, id, present) {
    var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (existing) {
      return existing && existing !== id;
    });
    if (present) { ids.push(id); }
    if (ids.length) { control.setAttribute("aria-describedby", ids.join(" ")); }
    else { control.removeAttribute("aria-describedby"); }
  }

  // As govuk-frontend does: the summary is focusable only while focus is moved to it.
  function focusSummary(summary) {
    summary.setAttribute("tabindex", "-1");
    summary.addEventListener("blur", function () { summary.removeAttribute("tabindex"); }, { once: true });
    summary.focus();
  }

  function clearErrors(form) {
    Array.prototype.forEach.call(form.querySelectorAll(".form-group--error"), function (group) {
      group.classList.remove("form-group--error");
      var message = group.querySelector(".error-message");
      if (message) { message.hidden = true; }
      var control = group.querySelector("input, textarea, fieldset");
      if (control) {
        control.removeAttribute("aria-invalid");
        describeBy(control, control.id + "-error", false);
      }
    });
    var summary = form.querySelector("[data-error-summary]");
    summary.hidden = true;
    summary.querySelector("ul").textContent = "";
  }

  function showErrors(form, errors) {
    var summary = form.querySelector("[data-error-summary]");
    var list = summary.querySelector("ul");
    errors.forEach(function (error) {
      var item = document.createElement("li");
      var group = error.field ? form.querySelector('[data-field="' + error.field + '"]') : null;
      if (group && group.classList.contains("form-group")) {
        var link = document.createElement("a");
        link.href = "#" + error.field;
        link.textContent = error.message;
        item.appendChild(link);
        group.classList.add("form-group--error");
        var message = group.querySelector(".error-message");
        message.querySelector("[data-error-text]").textContent = error.message;
        message.hidden = false;
        var control = document.getElementById(error.field);
        if (control) {
          control.setAttribute("aria-invalid", "true");
          describeBy(control, error.field + "-error", true);
        }
      } else {
        item.textContent = error.message;
      }
      list.appendChild(item);
    });
    summary.hidden = false;
    if (document.title.indexOf("Error: ") !== 0) { document.title = "Error: " + document.title; }
    focusSummary(summary);
  }

  // The words are in the page already (the same a form posted without JavaScript gets); the answer fills
  // in its own parts: [data-answer="reference"], a note, and a line when the link was used before.
  function showConfirmation(form, body) {
    var panel = form.parentNode.querySelector("[data-confirmation]");
    Array.prototype.forEach.call(panel.querySelectorAll("[data-answer]"), function (part) {
      var value = body[part.getAttribute("data-answer")] || "";
      part.textContent = value;
      if (part.tagName === "P") { part.hidden = !value; }
    });
    var already = panel.querySelector("[data-already]");
    already.textContent = body.already ? body.message : "";
    already.hidden = !body.already;
    form.hidden = true;
    // Words that said what the button would do no longer apply once it is done.
    Array.prototype.forEach.call(document.querySelectorAll("[data-before-done]"), function (words) {
      words.hidden = true;
    });
    panel.hidden = false;
    document.title = document.title.replace(/^Error: /, "");
    panel.focus();
  }

  function submit(form, event) {
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    if (button.disabled) { return; }
    button.disabled = true;
    clearErrors(form);
    fetch(form.action, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify(collect(form)),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (response.ok) {
          showConfirmation(form, body);
        } else {
          showErrors(form, body.errors || [{ field: null, message: GENERIC_FAILURE }]);
        }
      });
    }).catch(function () {
      showErrors(form, [{ field: null, message: GENERIC_FAILURE }]);
    }).then(function () {
      button.disabled = false;
    });
  }

  // Every form of an emailed link carries its token; forms whose answer is a page of its own (the
  // erasure receipt, the data we hold) are posted as they are, not with fetch.
  var linkToken = tokenFromAddress();
  Array.prototype.forEach.call(document.querySelectorAll("form"), function (form) {
    var token = form.querySelector('input[type=hidden][name="token"]');
    if (token) { token.value = linkToken; }
    // Opened without the emailed link's token: nothing to press, only what to do instead.
    var noToken = form.parentNode.querySelector("[data-no-token]");
    if (token && !linkToken && noToken) {
      form.hidden = true;
      noToken.hidden = false;
    }
    if (form.hasAttribute("data-enhance")) {
      form.addEventListener("submit", function (event) { submit(form, event); });
    }
  });
  // The token is in the form now: take it out of the address bar, so it is in no bookmark, history
  // entry or Referer.
  if (linkToken && window.history.replaceState) {
    window.history.replaceState(null, "", window.location.pathname + window.location.hash);
  }
}());
