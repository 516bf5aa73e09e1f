// A supervisor sets up a wave from the « Mise en place » page in headless Debian Chromium:
// creates a survey by uploading its questionnaire, creates a wave, loads a phone list and reads
// the report of refused lines, then opens the wave.
// Usage: node setup.mjs <base-url> <supervisor> <password> <questionnaire.toml> <list.csv>
import assert from "node:assert/strict";
import { launch, reportFailure, watchErrors } from "./chromium.mjs";

const [base, supervisor, password, questionnaire, list] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage();
page.setDefaultTimeout(15000);
const errors = [];
watchErrors(page, (message) => errors.push(message));

// Submits the form `form` and waits for the page it returns.
async function submit(form, button) {
  await Promise.all([page.waitForEvent("load"), form.locator(`button:has-text("${button}")`).click()]);
}

try {
  await page.goto(`${base}/connexion`);
  await page.keyboard.type(supervisor);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);

  await page.goto(`${base}/mise-en-place`);
  const newSurvey = page.locator("form[action='/mise-en-place/enquetes']");
  await newSurvey.locator("input[name='name']").fill("obs-navigateur");
  await newSurvey.locator("input[name='questionnaire']").setInputFiles(questionnaire);
  await submit(newSurvey, "Créer l'enquête");
  assert.match(await page.locator(".notice").innerText(), /Enquête « obs-navigateur » créée/);
  assert.match(await page.locator(".notice").innerText(), /version 2026\.1/);

  const survey = page.locator("section.survey", { hasText: "obs-navigateur" });
  const newWave = survey.locator("form[action='/mise-en-place/vagues']");
  await newWave.locator("input[name='name']").fill("essai-1");
  await newWave.locator("input[name='field_start']").fill("2026-03-02");
  await newWave.locator("input[name='field_end']").fill("2026-04-30");
  await submit(newWave, "Créer la vague");
  assert.match(await page.locator(".notice").innerText(), /Vague « essai-1 » créée/);

  const row = page.locator("section.survey", { hasText: "obs-navigateur" }).locator("tr", { hasText: "essai-1" });
  assert.match(await row.innerText(), /en préparation/);
  const upload = row.locator("form[action$='/echantillon']");
  await upload.locator("input[name='file']").setInputFiles(list);
  await submit(upload, "Charger");
  const notice = page.locator(".notice");
  assert.match(await notice.innerText(), /3 cas chargés, 2 lignes refusées/);
  const refused = await notice.locator("ol.rejected li").allInnerTexts();
  assert.deepEqual(refused, [
    "ligne 3 : numéro trop court (numéro : « 0536490 »)",
    "ligne 5 : commune inconnue (commune : « Paris »)",
  ]);
  const report = await notice.locator("a[download]").getAttribute("href");
  assert.ok(report.startsWith("data:text/csv"), report);

  const rowAgain = page.locator("section.survey", { hasText: "obs-navigateur" }).locator("tr", { hasText: "essai-1" });
  await submit(rowAgain.locator("form[action$='/etat']", { hasText: "Ouvrir" }), "Ouvrir");
  assert.match(await page.locator(".notice").innerText(), /Vague « essai-1 » : ouverte/);

  // The next wave, from the first one: its set-up carried over, with the comparability report.
  const nextWave = page.locator("section.survey", { hasText: "obs-navigateur" }).locator("form[action='/mise-en-place/vagues']");
  await nextWave.locator("input[name='name']").fill("essai-2");
  await nextWave.locator("select[name='from_wave']").selectOption({ label: "essai-1" });
  await submit(nextWave, "Créer la vague");
  // Waits for the new page's notice (the previous one named essai-1 only).
  const carried = await page.locator(".notice", { hasText: "essai-2" }).innerText();
  assert.match(carried, /Vague « essai-2 » créée/);
  assert.match(carried, /Par rapport à la vague « essai-1 »/);
  assert.match(carried, /Même questionnaire que la vague « essai-1 »/);
  assert.match(carried, /Règles d'appel/);
  assert.deepEqual(errors, []);
  console.log("survey, waves and phone list set up from the page");
} catch (error) {
  await reportFailure(page, "cati-setup", error);
} finally {
  await browser.close();
}
