// The interviewer's workstation on the observatory questionnaire, in headless Debian Chromium at
// 1366×768, from the keyboard: the ready and pause states between calls, the call shown above
// the question (case, commune, number, progress, elapsed time), a quick « 2 » then Enter on the
// 29-commune list, a stale tab's message, interrupting by keyboard with a quick appointment
// choice and a note, an appointment outcome by quick choice, and the confirmation of each save.
// Usage: node workstation.mjs <base-url> <username> <password>
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
for (const p of [page]) watch(p);
function watch(p) {
  watchErrors(p, (message) => errors.push(message));
  p.setDefaultTimeout(15000);
}

// Presses a key that loads another page and waits for it, once the page shown has its focus
// where a person would start typing.
const submitWith = (key, on = page) => submitOn(on, key);
const settled = (on = page) => settledOn(on);

async function question(on = page) {
  return (await on.locator("#answer-form input[name=var]").getAttribute("value")) ?? "";
}

try {
  await page.goto(`${base}/connexion`);
  await settled(); // a key typed before the autofocus lands is lost
  await page.keyboard.type(username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await submitWith("Enter");
  assert.match(page.url(), /\/poste$/);

  // Between calls: nothing is claimed until the interviewer chooses; « P » pauses.
  assert.match(await page.locator("p.state").innerText(), /Prêt/);
  await submitWith("p");
  assert.match(page.url(), /\/poste\?pause=1$/);
  assert.match(await page.locator("p.state").innerText(), /En pause/);
  await submitWith("Enter"); // ready again
  assert.match(page.url(), /\/poste$/);
  await submitWith("Enter"); // « Appel suivant »
  assert.match(page.url(), /\/poste\/cas$/);
  const caseText = await page.locator("main").innerText();
  assert.doesNotMatch(caseText, /AAPOR/);
  await page.screenshot({ path: join(screenshots, "workstation-cas.png") });

  await submitWith("i");
  assert.match(page.url(), /\/poste\/entretien$/);

  // The call above the question: case, commune, number to redial, progress, elapsed time.
  const reference = (await page.locator("#case-ref").innerText()).trim();
  assert.ok(reference.length > 0, "the case reference is shown");
  assert.match(await page.locator("section.call").innerText(), /Commune : \S/);
  assert.match(await page.locator("section.call a[href^='tel:+33']").innerText(), /^0\d( \d\d){4}$/);
  assert.match(await page.locator("#progress").innerText(), /^question 1 \/ \d\d$/);
  await page.waitForFunction(() => /\d+ min \d\d s/.test(document.getElementById("elapsed")?.textContent ?? ""));

  assert.equal(await question(), "INTRO");
  await submitWith("Enter");
  assert.equal(await question(), "CONSENTEMENT");
  await page.keyboard.press("1");
  await submitWith("Enter");

  // The 29-commune list: a digit chooses at once, a second quick digit makes 10 and more, and a
  // digit that cannot extend the choice starts a new one; « 2 » then Enter at once picks 2.
  assert.equal(await question(), "COMMUNE");
  assert.ok(await page.locator("#answer-form input[data-key]").count() >= 29);
  await settled();
  await page.keyboard.press("1");
  assert.equal(await page.locator("input[data-key='1']").isChecked(), true);
  await page.keyboard.press("5");
  assert.equal(await page.locator("input[data-key='15']").isChecked(), true);
  await page.keyboard.press("3");
  await page.keyboard.press("7");
  assert.equal(await page.locator("input[data-key='7']").isChecked(), true, "3 then 7 is 7 (no 37)");
  await page.keyboard.press("2");
  await submitWith("Enter");
  assert.equal(await question(), "SEXE");
  assert.match(await page.locator("#progress").innerText(), /^question 4 \//);
  await submitWith("Escape");
  assert.equal(await question(), "COMMUNE");
  assert.equal(await page.locator("input[data-key='2']").isChecked(), true, "option 2 was saved");
  await submitWith("Enter");
  assert.equal(await question(), "SEXE");

  // A stale tab: its answer is refused with the question the interview is at, in words.
  const stale = await context.newPage();
  watch(stale);
  await stale.goto(`${base}/poste/entretien`);
  assert.equal(await question(stale), "SEXE");
  await page.keyboard.press("1");
  await submitWith("Enter");
  assert.equal(await question(), "AGE");
  await settled(stale);
  await stale.keyboard.press("2");
  await submitWith("Enter", stale);
  const message = await stale.locator(".error").innerText();
  assert.match(message, /« Quel âge avez-vous \? »/);
  assert.doesNotMatch(message, /\b(AGE|SEXE)\b/);
  await stale.close();

  // Enter on « Interrompre l'entretien » opens the panel; it does not submit the answer.
  await page.screenshot({ path: join(screenshots, "workstation-entretien.png") });
  await page.focus("#interrupt summary");
  await page.keyboard.press("Enter");
  assert.equal(await page.locator("#interrupt").getAttribute("open"), "");
  assert.equal(await question(), "AGE");
  assert.equal(await page.locator(".error").count(), 0);

  // F4 (here from the age field) leads to the quick choices; one fills the date and moves on to
  // the note, and Enter books the callback.
  await page.focus("#value");
  await page.keyboard.press("F4");
  const quick = page.locator("#callback-form button[data-at]").first();
  assert.equal(await quick.evaluate((b) => b === document.activeElement), true);
  assert.match(await page.locator("#callback-form .windows").innerText(), /Aujourd'hui : /);
  await page.keyboard.press("Enter");
  assert.match(await page.locator("#callback-form input[name=appointment_at]").inputValue(), /^\d\d\/\d\d\/\d{4} \d\d:\d\d$/);
  await page.keyboard.type("rappeler après le dîner");
  assert.equal(await page.locator("#callback-form input[name=note]").inputValue(), "rappeler après le dîner");
  await submitWith("Enter");
  assert.match(page.url(), /\/poste\?/);
  const callback = await page.locator("p.saved").innerText();
  assert.match(callback, /Entretien partiel, à reprendre/);
  assert.ok(callback.includes(`cas ${reference}`), callback);
  assert.match(callback, /Rappel prévu le \d\d\/\d\d\/\d{4} \d\d:\d\d/);

  // An appointment outcome by quick choice: « 4 » (Rendez-vous) leads to the quick choices.
  await submitWith("Enter"); // « Appel suivant »
  assert.match(page.url(), /\/poste\/cas$/);
  await page.keyboard.press("4");
  assert.equal(await page.locator("input[name=outcome][value=appointment]").isChecked(), true);
  assert.equal(await page.locator("#outcome-form button[data-at]").first().evaluate((b) => b === document.activeElement), true);
  await page.keyboard.press("Tab"); // the next quick choice
  await page.keyboard.press("Enter");
  await page.keyboard.type("préfère le soir");
  assert.equal(await page.locator("#outcome-form input[name=note]").inputValue(), "préfère le soir");
  await submitWith("Enter");
  const booked = await page.locator("p.saved").innerText();
  assert.match(booked, /Enregistré : « Rendez-vous » pour le cas \S+\. Rappel prévu le /);
  await page.screenshot({ path: join(screenshots, "workstation-poste.png") });

  assert.deepEqual(errors, []);
  console.log("workstation: case shown, quick entry, stale tab, interruption and appointments by keyboard");
} catch (error) {
  await reportFailure(page, "workstation", error);
} finally {
  await browser.close();
}
