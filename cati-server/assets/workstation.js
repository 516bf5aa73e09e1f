// Keyboard control of the interviewer's workstation. Without this script every form still works
// with the mouse; with it, the whole interview runs from the keyboard:
//   digits choose an option (two quick digits for 10 and more), Enter validates,
//   Escape goes back, F2 (or "/" outside text fields) = don't know, F3 (or "*") = refused,
//   on the case screen: digits choose the outcome, "i" starts the interview.
(function () {
  "use strict";
  let buffer = "";
  let timer = null;

  function isTyping(target) {
    return target instanceof HTMLInputElement
      ? !["radio", "checkbox", "submit", "button", "hidden"].includes(target.type)
      : target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
  }

  function pick(form, key) {
    const input = form.querySelector('input[data-key="' + key + '"]');
    if (!input) return false;
    if (input.type === "checkbox") input.checked = !input.checked; else input.checked = true;
    input.focus();
    return true;
  }

  function hasLongerKey(form, prefix) {
    return Array.from(form.querySelectorAll("input[data-key]"))
      .some((i) => i.dataset.key.length > prefix.length && i.dataset.key.startsWith(prefix));
  }

  function submitSpecial(form, value) {
    const special = form.querySelector("#special");
    if (!special) return;
    special.value = value;
    form.querySelectorAll('input[name="codes"], input[name="value"]').forEach((i) => { i.disabled = true; });
    form.requestSubmit();
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const answer = document.getElementById("answer-form");
    const outcome = document.getElementById("outcome-form");
    const form = answer || outcome;
    const typing = isTyping(event.target);
    const inOtherForm = form && event.target instanceof Element && event.target.closest("form") && !form.contains(event.target);
    if (!form || inOtherForm) return;

    if (answer && event.key === "Escape") {
      const back = document.getElementById("back-form");
      if (back) { event.preventDefault(); back.requestSubmit(); }
      return;
    }
    if (answer && (event.key === "F2" || (!typing && event.key === "/"))) {
      event.preventDefault(); submitSpecial(answer, "dont_know"); return;
    }
    if (answer && (event.key === "F3" || (!typing && event.key === "*"))) {
      event.preventDefault(); submitSpecial(answer, "refused"); return;
    }
    if (!answer && !typing && (event.key === "i" || event.key === "I")) {
      const start = document.getElementById("start-form");
      if (start) { event.preventDefault(); start.requestSubmit(); }
      return;
    }
    if (event.key === "Enter" && !(event.target instanceof HTMLButtonElement) && !(event.target instanceof HTMLTextAreaElement)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    if (!typing && /^[0-9]$/.test(event.key)) {
      event.preventDefault();
      buffer += event.key;
      clearTimeout(timer);
      if (hasLongerKey(form, buffer)) {
        const pending = buffer;
        timer = setTimeout(function () { pick(form, pending); buffer = ""; }, 700);
      } else {
        if (!pick(form, buffer)) pick(form, event.key);
        buffer = "";
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    const answer = document.getElementById("answer-form");
    if (answer && !answer.querySelector("[autofocus]")) {
      const checked = answer.querySelector("input[data-key]:checked") || answer.querySelector("input[data-key]");
      (checked || answer).focus();
    }
  });
})();
