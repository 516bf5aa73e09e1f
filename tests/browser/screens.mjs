// Every screen an admin, a supervisor and an interviewer reach, in headless Debian Chromium at
// 1366×768: none shows one of the server's internal codes (statuses, outcomes, roles, snake_case
// names) in its text, its options or its tooltips, and none logs a page error or a
// Content-Security-Policy violation, nor asks for anything the server does not have (the
// favicon). The users page keeps a refused form, its message next to the field, with the
// refusal's status. Each screen is photographed into SCREENSHOT_DIR (the case screens at
// 1366×768).
// Usage: node screens.mjs <base-url> <admin> <supervisor> <interviewer> <password>
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, watchErrors } from "./chromium.mjs";

const [base, admin, supervisor, interviewer, password] = process.argv.slice(2);
const screenshots = process.env.SCREENSHOT_DIR || tmpdir();

// The codes the server stores and the API speaks, which pages must show in French.
const INTERNAL_CODES = [
  // case, interview and wave statuses
  "pending", "appointment", "in_interview", "final", "in_progress", "completed", "broken_off",
  "screened_out", "draft", "open", "paused", "closed",
  // call outcomes
  "no_answer", "busy", "answering_machine", "soft_refusal", "refusal", "do_not_call",
  "not_in_service", "business", "fax", "language", "unable", "interview_callback", "quota_full",
  // roles
  "interviewer", "supervisor", "analyst",
];
const letter = "[\\p{L}\\p{N}_]";
const CODE = new RegExp(`(?<!${letter})(${INTERNAL_CODES.join("|")})(?!${letter})`, "gu");
// Any lower-case snake_case word (`quota_full`, `user.create`'s kin `wave:12`…) is a name
// meant for programs.
const SNAKE_CASE = /(?<![\p{L}\p{N}_])[a-z]+(?:_[a-z0-9]+)+(?![\p{L}\p{N}_])/gu;

// The interviewer's workstation is being reworked on its own: the codes it still shows, by
// page. Each entry is checked to be still true, so that fixing one fails here until the entry is
// removed; the goal is an empty object.
const KNOWN_WORKSTATION_OFFENDERS = {};

const browser = await launch();
const errors = [];
const found = {};

// A new browser session logged in as `username`.
async function session(username) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  watchErrors(page, (message) => errors.push(`${page.url()}: ${message}`));
  page.on("response", (response) => { if (response.status() === 404) errors.push(`404: ${response.url()}`); });
  await page.goto(`${base}/connexion`);
  await page.locator("input[name=username]").fill(username);
  await page.locator("input[name=password]").fill(password);
  await Promise.all([page.waitForEvent("load"), page.locator("input[name=password]").press("Enter")]);
  assert.doesNotMatch(page.url(), /\/connexion/, `${username} logged in`);
  return page;
}

// Everything on the page a person may read: its text (hidden panels included, as they open
// later), the options of its lists, its placeholders, tooltips and button values.
function readableText(page) {
  return page.evaluate(() => {
    const body = document.body.cloneNode(true);
    for (const hidden of body.querySelectorAll("script, style, template")) hidden.remove();
    const parts = [document.title, body.textContent];
    for (const element of document.querySelectorAll("[placeholder], [title], [aria-label], input[type=submit], input[type=button]")) {
      parts.push(element.getAttribute("placeholder"), element.getAttribute("title"), element.getAttribute("aria-label"));
      if (element.matches("input[type=submit], input[type=button]")) parts.push(element.value);
    }
    return parts.filter(Boolean).join("\n");
  });
}

// Photographs the page as `name`.
async function photograph(page, name) {
  await page.screenshot({ path: join(screenshots, `screens-${name}.png`) });
}

// Opens `path` as `who` and records the codes it shows.
async function visit(page, who, path) {
  const response = await page.goto(`${base}${path}`);
  assert.equal(response.status(), 200, `${path}: status ${response.status()}`);
  const text = await readableText(page);
  const codes = new Set([...text.matchAll(CODE)].map((m) => m[1]));
  for (const m of text.matchAll(SNAKE_CASE)) codes.add(m[0]);
  found[`${who} ${path}`] = [...codes].sort();
}

// Submits `form` with `button` and returns the status of the page it gets back.
async function submit(page, form, button) {
  const [response] = await Promise.all([page.waitForEvent("response", (r) => r.request().isNavigationRequest()), form.locator(`button:has-text("${button}")`).click()]);
  await page.waitForLoadState("load");
  return response.status();
}

// An admin's refused forms come back filled in, the message next to what it is about.
async function refusedUserForms(page) {
  await page.goto(`${base}/admin/utilisateurs`);
  const form = page.locator("form[action='/admin/utilisateurs']");
  assert.equal(await form.locator("select[name=role] option:checked").innerText(), "Enquêteur", "least privileged role by default");
  await form.locator("input[name=username]").fill(interviewer);
  await form.locator("input[name=display_name]").fill("Homonyme");
  await form.locator("input[name=password]").fill("un-mot-de-passe-assez-long");
  assert.equal(await submit(page, form, "Créer"), 409);
  const kept = page.locator("form[action='/admin/utilisateurs']");
  assert.equal(await kept.locator("input[name=username]").inputValue(), interviewer);
  assert.equal(await kept.locator("input[name=display_name]").inputValue(), "Homonyme");
  assert.equal(await kept.locator("input[name=username]").getAttribute("aria-invalid"), "true");
  assert.match(await kept.locator("label:has(input[name=username]) + .error").innerText(), /existe déjà/);
  await photograph(page, "admin-utilisateur-refuse");

  const own = page.locator("tr", { has: page.locator(`td:text-is("${admin}")`) });
  assert.equal(await submit(page, own.locator("form[action$='/etat']"), "Désactiver"), 422);
  const ownAgain = page.locator("tr", { has: page.locator(`td:text-is("${admin}")`) });
  assert.match(await ownAgain.locator(".error").innerText(), /votre propre compte/);
}

try {
  // Admin and supervisor: every page of their menu, and the case page of every case listed.
  for (const [who, prefix] of [[admin, "admin"], [supervisor, "superviseur"]]) {
    const page = await session(who);
    const menu = await page.locator("header nav a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    assert.ok(menu.length >= 7, `${who}'s menu: ${menu}`);
    for (const path of menu) {
      await visit(page, who, path);
      await photograph(page, `${prefix}${path.replaceAll("/", "-")}`);
    }
    await page.goto(`${base}/echantillon`);
    const cases = await page.locator("a[href^='/echantillon/cas/']").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    assert.ok(cases.length > 0, "the sample lists cases");
    let photographed = false;
    for (const path of cases) {
      await visit(page, who, path);
      if (!photographed && await page.locator("h2:has-text('Appels') + table").count() > 0) {
        await photograph(page, `${prefix}-cas`);
        photographed = true;
      }
    }
    assert.ok(photographed, "a case with calls");
    if (who === admin) await refusedUserForms(page);
    await page.context().close();
  }

  // The interviewer: the home screen, and the case screen of the case they hold.
  const page = await session(interviewer);
  await visit(page, interviewer, "/poste");
  await photograph(page, "enqueteur-poste");
  await visit(page, interviewer, "/poste/cas");
  await photograph(page, "enqueteur-cas");
  assert.ok(await page.locator("a[href^='tel:+33']").count() > 0, "the held case is shown");

  const offenders = [];
  const stale = [];
  for (const [screen, codes] of Object.entries(found)) {
    const path = screen.split(" ")[1];
    const known = path.startsWith("/poste") ? KNOWN_WORKSTATION_OFFENDERS[path] ?? [] : [];
    const unknown = codes.filter((code) => !known.includes(code));
    if (unknown.length > 0) offenders.push(`${screen}: ${unknown.join(", ")}`);
    if (known.length > 0) console.log(`known workstation codes still shown on ${path}: ${known.filter((c) => codes.includes(c)).join(", ")}`);
    const fixed = known.filter((code) => !codes.includes(code));
    if (fixed.length > 0) stale.push(`${path}: ${fixed.join(", ")}`);
  }
  assert.deepEqual(offenders, [], "internal codes shown to people");
  assert.deepEqual(stale, [], "no longer shown: remove them from KNOWN_WORKSTATION_OFFENDERS");
  assert.deepEqual(errors, []);
  console.log(`${Object.keys(found).length} screens read, none shows an internal code`);
} catch (error) {
  console.error(error);
  console.error(JSON.stringify(found, null, 1));
  process.exitCode = 1;
} finally {
  await browser.close();
}
