// The « Résultats » page in headless Debian Chromium: the latest wave's table and map, then
// another indicator and the previous wave chosen with the page's own form (no script): the
// heading, the table and the map change. Screenshots go to SCREENSHOT_DIR.
// Usage: node results.mjs <base-url> <analyst> <password> <first-wave-id> <second-wave-id>
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, reportFailure, watchErrors } from "./chromium.mjs";

const [base, analyst, password, firstWave, secondWave] = process.argv.slice(2);
const shots = process.env.SCREENSHOT_DIR || tmpdir();
const browser = await launch();
const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
const errors = [];
watchErrors(page, (message) => errors.push(message));
page.setDefaultTimeout(20000);

// What the reader sees: the indicator's heading, the table's text and the map's colours.
async function seen() {
  return {
    heading: await page.locator("#metropole h2").innerText(),
    table: await page.locator("#results-table tbody").innerText(),
    map: await page.locator("#carte").evaluate((svg) =>
      [...svg.querySelectorAll("path.commune")].map((p) => p.getAttribute("fill") + p.textContent).join("|")),
    mapTitle: await page.locator("#carte > title").textContent(),
  };
}

// The page shows a whole wave: 28 communes in the table and on the map.
async function checkWhole() {
  assert.equal(await page.locator("#results-table tbody tr").count(), 28);
  assert.equal(await page.locator("#carte path.commune").count(), 28);
  assert.ok(await page.locator("#carte .legende").isVisible());
  assert.match(await page.locator("#metropole").innerText(), /Ensemble de la métropole : \d/);
}

// Chooses `value` in the select `name` and sends the form, which loads the page again.
async function choose(name, value) {
  await page.locator(`#results-choice select[name='${name}']`).selectOption(value);
  await Promise.all([page.waitForEvent("load"), page.locator("#results-choice button[type='submit']").click()]);
}

try {
  await page.goto(`${base}/connexion`);
  await page.keyboard.type(analyst);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);

  // The navigation leads analysts to the page; the latest wave is shown first.
  await Promise.all([page.waitForEvent("load"), page.locator("header nav a", { hasText: "Résultats" }).click()]);
  assert.equal(await page.locator("#results-choice select[name='vague']").inputValue(), secondWave);
  await checkWhole();
  assert.match(await page.locator("#metropole").innerText(), /évolution depuis la vague/);
  // The rules set for this wave from the command line.
  assert.match(await page.locator("#metropole").innerText(), /au moins 5 répondants/);
  const first = await seen();
  await page.screenshot({ path: join(shots, "results-latest-wave.png"), fullPage: true });

  // Another indicator: heading, table and map change.
  const indicators = await page.locator("#results-choice select[name='indicateur'] option").evaluateAll(
    (options) => options.map((o) => o.value));
  assert.ok(indicators.length > 2, `indicators: ${indicators}`);
  await choose("indicateur", indicators[2]);
  assert.equal(await page.locator("#results-choice select[name='indicateur']").inputValue(), indicators[2]);
  await checkWhole();
  const other = await seen();
  assert.notEqual(other.heading, first.heading);
  assert.notEqual(other.mapTitle, first.mapTitle);
  assert.notEqual(other.table, first.table);
  assert.notEqual(other.map, first.map);
  await page.screenshot({ path: join(shots, "results-other-indicator.png"), fullPage: true });

  // The previous wave, same indicator: other figures, no change to show.
  await choose("vague", firstWave);
  assert.equal(await page.locator("#results-choice select[name='vague']").inputValue(), firstWave);
  assert.equal(await page.locator("#results-choice select[name='indicateur']").inputValue(), indicators[2]);
  await checkWhole();
  const earlier = await seen();
  assert.equal(earlier.heading, other.heading);
  assert.notEqual(earlier.table, other.table);
  assert.notEqual(earlier.map, other.map);
  assert.match(await page.locator("#metropole").innerText(), /Pas de vague précédente/);
  // Communes without enough respondents are hatched on the map and flagged in the table.
  assert.ok((await page.locator("#carte path.hachure").count()) > 0);
  assert.equal(
    await page.locator("#carte path.hachure").count(),
    await page.locator("#results-table tbody tr.withheld").count());
  await page.screenshot({ path: join(shots, "results-previous-wave.png"), fullPage: true });

  // The downloads answer with the map and the table of what is on screen.
  const svg = await page.request.get(await page.locator("#download-svg").evaluate((a) => a.href));
  assert.equal(svg.status(), 200);
  assert.match(svg.headers()["content-type"], /image\/svg\+xml/);
  const xml = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/'/g, "&#39;");
  const downloaded = await svg.text();
  assert.ok(downloaded.includes(`<title id="carte-titre">${xml(earlier.mapTitle)}</title>`));
  assert.equal(downloaded.match(/<path class="commune"/g).length, 28);
  const csv = await page.request.get(await page.locator("#download-csv").evaluate((a) => a.href));
  assert.equal(csv.status(), 200);
  assert.match(await csv.text(), /^indicateur,libelle,domaine,code_domaine,n,proportion/);

  assert.deepEqual(errors, []);
} catch (error) {
  await reportFailure(page, "results", error);
} finally {
  await browser.close();
}
