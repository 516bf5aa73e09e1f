// Keyboard control of the interviewer's workstation. Without this script every form still works
// with the mouse; with it, the whole interview runs from the keyboard:
//   digits choose an option at once (a second quick digit makes 10 and more), Enter validates,
//   Escape goes back, F2 (or "/" outside text fields) = don't know, F3 (or "*") = refused,
//   F4 opens « Interrompre l'entretien », F8 reads the interview in the questionnaire's next language;
//   on the case screen: digits choose the outcome, "i" starts the interview;
//   on the screen between calls: Enter takes the next call, "p" pauses;
//   in an appointment form, a quick choice fills the date and moves on to the note;
//   the elapsed time of the call ticks on the interview and case screens.
(function () {
  "use strict";
  // Digits typed in quick succession: "1" picks option 1 at once, and "1" then "5" within the
  // delay moves the choice to option 15. No key waits for a timer, so Enter never finds a choice
  // still pending, and no key is dropped.
  const COMPOSE_MS = 700;
  let buffer = "";
  let bufferAt = 0;
  let tentative = null;

  function isTyping(target) {
    return target instanceof HTMLInputElement
      ? !["radio", "checkbox", "submit", "button", "hidden"].includes(target.type)
      : target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement;
  }

  function inputFor(form, key) {
    return form.querySelector('input[data-key="' + key + '"]');
  }

  function choose(input) {
    if (input.type === "checkbox") input.checked = !input.checked; else input.checked = true;
    input.focus();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function hasLongerKey(form, prefix) {
    return Array.from(form.querySelectorAll("input[data-key]"))
      .some((i) => i.dataset.key.length > prefix.length && i.dataset.key.startsWith(prefix));
  }

  // One digit: extends the choice being composed when that makes an existing key, otherwise
  // starts a new one.
  function digit(form, key, now) {
    const extended = buffer + key;
    if (buffer && now - bufferAt <= COMPOSE_MS && inputFor(form, extended)) {
      // Undo the tentative pick of the first digit (a checkbox was toggled by it).
      if (tentative && tentative.type === "checkbox") tentative.checked = !tentative.checked;
      tentative = inputFor(form, extended);
      choose(tentative);
      buffer = hasLongerKey(form, extended) ? extended : "";
    } else {
      const input = inputFor(form, key);
      tentative = input;
      if (input) choose(input);
      buffer = input && hasLongerKey(form, key) ? key : "";
    }
    bufferAt = now;
  }

  function submitSpecial(form, value) {
    const special = form.querySelector("#special");
    if (!special) return;
    special.value = value;
    form.querySelectorAll('input[name="codes"], input[name="value"]').forEach((i) => { i.disabled = true; });
    form.requestSubmit();
  }

  function openInterrupt() {
    const panel = document.getElementById("interrupt");
    if (!panel) return;
    panel.open = true;
    const first = panel.querySelector("button[data-at], input[name=appointment_at]");
    if (first) first.focus();
  }

  // A quick appointment choice: fills the date of its form and moves on to the note, so that
  // what is typed next is not lost in the date field.
  function quickChoice(button) {
    const form = button.closest("form");
    const field = form && form.querySelector("input[name=appointment_at]");
    if (!field) return;
    field.value = button.dataset.at;
    const outcome = form.querySelector('input[name=outcome][value="appointment"]');
    if (outcome) outcome.checked = true;
    form.querySelectorAll("button[data-at]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
    const note = form.querySelector("input[name=note]");
    if (note) note.focus();
  }

  document.addEventListener("click", function (event) {
    const button = event.target instanceof Element && event.target.closest("button[data-at]");
    if (button) { event.preventDefault(); quickChoice(button); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const target = event.target;
    const typing = isTyping(target);
    const ready = document.getElementById("ready-form");
    if (ready && !typing && (event.key === "p" || event.key === "P")) {
      const pause = document.getElementById("pause-link");
      if (pause) { event.preventDefault(); pause.click(); }
      return;
    }
    const answer = document.getElementById("answer-form");
    const outcome = document.getElementById("outcome-form");
    const form = answer || outcome;
    if (answer && event.key === "F4") { event.preventDefault(); openInterrupt(); return; }
    if (answer && event.key === "F8") {
      const next = document.querySelector("#language-form button[data-next]");
      if (next) { event.preventDefault(); next.form.requestSubmit(next); }
      return;
    }
    const inOtherForm = form && target instanceof Element && target.closest("form") && !form.contains(target);
    // Links, buttons and the « Interrompre » panel's title keep their own Enter and Space.
    const control = target instanceof Element && target.closest("a, button, summary, details.interrupt");
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
    if (event.key === "Enter" && !control && !(target instanceof HTMLTextAreaElement)) {
      event.preventDefault();
      buffer = "";
      form.requestSubmit();
      return;
    }
    if (!typing && /^[0-9]$/.test(event.key)) {
      event.preventDefault();
      digit(form, event.key, event.timeStamp);
      // Choosing « Rendez-vous » leads to its quick choices.
      const chosen = outcome && outcome.querySelector("input[name=outcome]:checked");
      if (chosen && chosen.value === "appointment") {
        const quick = outcome.querySelector("button[data-at]");
        if (quick) quick.focus();
      }
    }
  });

  function clock() {
    const since = document.querySelector("[data-since]");
    if (!since) return;
    const start = Number(since.dataset.since);
    const tick = function () {
      const seconds = Math.max(0, Math.floor((Date.now() - start) / 1000));
      const minutes = Math.floor(seconds / 60);
      since.textContent = minutes + " min " + String(seconds % 60).padStart(2, "0") + " s";
    };
    tick();
    setInterval(tick, 1000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const answer = document.getElementById("answer-form");
    if (answer && !answer.querySelector("[autofocus]")) {
      const checked = answer.querySelector("input[data-key]:checked") || answer.querySelector("input[data-key]");
      (checked || answer).focus();
    }
    clock();
  });
})();
