// The observatory questionnaire that `cati serve --demo` loads, run in headless Debian Chromium
// at 1366×768 from the keyboard alone (no click, no fill): a first call interrupted by F4 with an
// appointment made by a quick choice, then a whole interview from its first to its last
// question, with a quick single-digit entry on the commune list and a switch to English and back
// (F8) on the way, measuring the time from the key that validates an answer to the next
// question's page loaded. Timings are printed, never asserted.
// Usage: node observatory.mjs <base-url> <username> <password>
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  launch, reportFailure, settled as settledOn, submitWith as submitOn, watchErrors,
} from "./chromium.mjs";

const [base, username, password] = process.argv.slice(2);
const screenshots = process.env.SCREENSHOT_DIR || tmpdir();
const browser = await launch();
const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
const page = await context.newPage();
// Page errors and Content-Security-Policy violations (reported on the console) fail the test.
const errors = [];
watchErrors(page, (message) => errors.push(message));
page.setDefaultTimeout(15000);

// Waits until the page shown has its focus where a person would start typing.
const settled = () => settledOn(page);

// Presses a key that loads another page and returns how long that took, in milliseconds, from
// the key press to the next page's "load" event (its question is then in the page).
const submitWith = (key) => submitOn(page, key);

// The question shown: its variable, kind, the keys of its options and the bounds of a number.
async function current() {
  return page.evaluate(() => {
    const form = document.getElementById("answer-form");
    if (!form) return null;
    const bounds = /\(de (-?\d+|…) à (-?\d+|…)\)/.exec(form.querySelector("small")?.textContent ?? "");
    return {
      var: form.querySelector("input[name=var]").value,
      kind: form.dataset.kind,
      keys: Array.from(form.querySelectorAll("input[data-key]")).map((i) => i.dataset.key),
      min: bounds && bounds[1] !== "…" ? Number(bounds[1]) : null,
      max: bounds && bounds[2] !== "…" ? Number(bounds[2]) : null,
      error: document.querySelector("p.error")?.textContent ?? null,
      confirm: document.querySelector("p.notice")?.textContent ?? null,
      text: document.getElementById("question-text")?.textContent ?? "",
    };
  });
}

// A number within the question's bounds that keeps the respondent in the survey's target.
const numbers = { AGE: 40, FOYER: 3, ENFANTS: 1 };
function numberFor(q) {
  let value = numbers[q.var] ?? 1;
  if (q.min !== null) value = Math.max(value, q.min);
  if (q.max !== null) value = Math.min(value, q.max);
  return String(value);
}

function today() {
  const d = new Date();
  return `${String(d.getDate()).padStart(2, "0")}/${String(d.getMonth() + 1).padStart(2, "0")}/${d.getFullYear()}`;
}

function percentile(sorted, p) {
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
}

try {
  await page.goto(`${base}/connexion`);
  await settled(); // a key typed before the autofocus lands is lost
  await page.keyboard.type(username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await submitWith("Enter");
  assert.match(page.url(), /\/poste$/);
  await submitWith("Enter"); // « Appel suivant »
  assert.match(page.url(), /\/poste\/cas$/);
  await submitWith("i"); // start the interview
  assert.match(page.url(), /\/poste\/entretien$/);

  // The first respondent has no time now: F4, a quick choice (Enter), a note, Enter.
  await settled();
  await page.keyboard.press("F4");
  const quick = page.locator("#callback-form button[data-at]").first();
  assert.equal(await quick.evaluate((b) => b === document.activeElement), true, "F4 leads to the quick choices");
  await page.keyboard.press("Enter");
  assert.match(await page.locator("#callback-form input[name=appointment_at]").inputValue(), /^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
  await page.keyboard.type("rappeler plus tard");
  await submitWith("Enter");
  assert.match(await page.locator("p.saved").innerText(), /Rappel prévu le \d\d\/\d\d\/\d{4} \d\d:\d\d/);

  // The next call runs the whole questionnaire.
  await submitWith("Enter"); // « Appel suivant »
  assert.match(page.url(), /\/poste\/cas$/);
  await submitWith("i");
  assert.match(page.url(), /\/poste\/entretien$/);

  const latencies = [];
  const answered = [];
  const refused = [];
  let q = await current();
  assert.equal(q?.var, "INTRO", "the interview starts with the introduction");
  // Two questions after the commune, the respondent prefers English (F8); two questions later,
  // back to French (F8 again).
  let sinceCommune = null;
  const english = [];
  for (let guard = 0; q && guard < 200; guard++) {
    if (sinceCommune === 2 || sinceCommune === 4) {
      const before = q.text;
      await submitWith("F8");
      const switched = await current();
      const language = await page.locator("#question-text").getAttribute("lang");
      assert.equal(switched.var, q.var, "the same question, in the other language");
      assert.notEqual(switched.text, before, `${q.var} reads differently`);
      assert.equal(language, sinceCommune === 2 ? "en" : "fr");
      if (language === "en") await page.screenshot({ path: join(screenshots, "observatory-english.png") });
      q = switched;
    }
    if (sinceCommune !== null) sinceCommune++;
    if (sinceCommune !== null && sinceCommune > 2 && sinceCommune <= 4) english.push(q.var);
    if (q.var === "COMMUNE") {
      sinceCommune = 0;
      // Bordeaux (7th of the list), the commune with the largest quota target: a single digit,
      // then Enter at once.
      const bordeaux = page.locator("#answer-form label.option", { has: page.locator("input[data-key='7']") });
      assert.match(await bordeaux.innerText(), /Bordeaux/);
      await settled();
      await page.keyboard.press("7");
      assert.equal(await page.locator("input[data-key='7']").isChecked(), true);
    } else if (q.kind === "single" || q.kind === "multiple" || q.kind === "scale" || q.kind === "grid") {
      assert.ok(q.keys.length > 0, `options of ${q.var}`);
      await settled();
      for (const digit of q.keys[0]) await page.keyboard.press(digit);
      assert.equal(await page.locator(`#answer-form input[data-key='${q.keys[0]}']`).isChecked(), true, `${q.var}: first option chosen`);
    } else if (q.kind === "integer" || q.kind === "decimal") {
      await settled();
      await page.keyboard.type(numberFor(q));
    } else if (q.kind === "text") {
      await settled();
      await page.keyboard.type("réponse");
    } else if (q.kind === "date") {
      await settled();
      await page.keyboard.type(today());
    } else {
      assert.equal(q.kind, "info", `unexpected kind ${q.kind} for ${q.var}`);
    }
    let elapsed = await submitWith("Enter");
    let next = await current();
    // A soft check asks to confirm: Enter confirms, as the page says.
    if (next && next.var === q.var && next.confirm) {
      assert.match(next.confirm, /Entrée pour confirmer/);
      elapsed = await submitWith("Enter");
      next = await current();
    }
    // An answer still refused: the person refuses (F3).
    if (next && next.var === q.var && next.error) {
      refused.push(`${q.var} (${next.error})`);
      elapsed = await submitWith("F3");
      next = await current();
    }
    assert.ok(!next || next.var !== q.var, `${q.var} was not left: ${next?.error ?? ""}`);
    latencies.push(elapsed);
    answered.push(q.var);
    q = next;
  }
  assert.equal(q, null, "the interview came to an end");

  const title = await page.locator("h1").innerText();
  await page.screenshot({ path: join(screenshots, "observatory-end.png") });
  assert.match(title, /Entretien terminé/, `end screen: ${title}`);
  assert.ok(answered.length >= 30, `${answered.length} questions answered: ${answered.join(" ")}`);
  assert.deepEqual(errors, []);

  const sorted = [...latencies].sort((a, b) => a - b);
  const ms = (v) => v.toFixed(1);
  assert.equal(english.length, 2, "two questions answered in English");
  console.log(`observatory: ${answered.length} questions from ${answered[0]} to ${answered.at(-1)}, interview completed from the keyboard (after a first call interrupted with an appointment; ${english.join(", ")} answered in English)`);
  if (refused.length > 0) console.log(`answers refused then coded « Refus »: ${refused.join("; ")}`);
  console.log(`keypress → next question: n=${sorted.length}, p50=${ms(percentile(sorted, 50))} ms, p99=${ms(percentile(sorted, 99))} ms, max=${ms(sorted.at(-1))} ms`);
} catch (error) {
  await reportFailure(page, "observatory", error);
} finally {
  await browser.close();
}
