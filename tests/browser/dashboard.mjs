// The supervisors' dashboard in headless Debian Chromium: an interview completed through the
// API (another session) updates the quota table and the map without reloading the page.
// Usage: node dashboard.mjs <base-url> <supervisor> <interviewer> <password>
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, reportFailure, watchErrors } from "./chromium.mjs";

const [base, supervisor, interviewer, password] = process.argv.slice(2);
const BORDEAUX = 33063;
const browser = await launch();
// The size of a call-centre supervisor's laptop screen.
const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
// Page errors and Content-Security-Policy violations (reported on the console) fail the test.
const errors = [];
watchErrors(page, (message) => errors.push(message));
page.setDefaultTimeout(15000);

// A plausible answer to any step (same rules as the Rust harness's `generic_answer`).
function answerFor(step) {
  const v = step.var;
  if (v === "COMMUNE") return { var: v, codes: [BORDEAUX] };
  const bound = (key, fallback) => {
    const n = typeof step[key] === "string" ? Number.parseFloat(step[key]) : NaN;
    return Number.isNaN(n) ? fallback : n;
  };
  switch (step.kind) {
    case "single":
    case "multiple": {
      const options = step.options || [];
      const option = options.find((o) => o.other !== true && o.exclusive !== true) ?? options[0];
      return { var: v, codes: [option ? option.code : null] };
    }
    case "integer":
    case "decimal":
    case "scale": {
      const min = bound("min", 0);
      const max = Math.max(bound("max", 1000), min);
      return { var: v, value: String(Math.min(Math.max(40, min), max)) };
    }
    case "text":
      return { var: v, value: "texte de test" };
    case "date":
      return { var: v, value: step.max || "2000-01-01" };
    default:
      return { var: v };
  }
}

// Completes one interview as `interviewer` through the JSON API, in its own browser context.
async function completeInterview() {
  const context = await browser.newContext();
  const api = context.request;
  const login = await api.post(`${base}/api/login`, { data: { username: interviewer, password } });
  assert.equal(login.status(), 200);
  const headers = { "x-csrf-token": (await login.json()).csrf_token };
  const post = (path, data) => api.post(`${base}${path}`, { data, headers });
  const caseReply = await post("/api/cases/next", {});
  assert.equal(caseReply.status(), 200, await caseReply.text());
  const caseId = (await caseReply.json()).case_id;
  let view = await (await post(`/api/cases/${caseId}/interview`, {})).json();
  for (let guard = 0; view.step && view.step.type === "question"; guard++) {
    assert.ok(guard < 300, "the interview never ends");
    const path = `/api/interviews/${view.interview_id}/answers`;
    let reply = await post(path, { ...answerFor(view.step), confirm: true });
    if (reply.status() !== 200) {
      const special = view.step.allow_dont_know ? "dont_know" : "refused";
      reply = await post(path, { var: view.step.var, special });
      assert.equal(reply.status(), 200, await reply.text());
    }
    view = await reply.json();
  }
  assert.equal(view.status, "completed");
  await context.close();
}

try {
  await page.goto(`${base}/connexion`);
  await page.keyboard.type(supervisor);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await Promise.all([page.waitForEvent("load"), page.keyboard.press("Enter")]);

  await page.goto(`${base}/tableau-de-bord`);
  await page.locator("#dashboard[data-live='on']").waitFor();
  await page.locator("#map-33063").waitFor({ state: "attached" });
  assert.equal(await page.locator("#commune-map path").count(), 28);
  const achieved = page.locator("#commune-33063 [data-field='achieved']");
  assert.equal(await achieved.innerText(), "0");
  const loads = [];
  page.on("load", () => loads.push(page.url()));

  await completeInterview();
  await page.waitForFunction(
    () => document.querySelector("#commune-33063 [data-field='achieved']").textContent === "1",
  );
  const percent = await page.locator("#commune-33063 [data-field='percent']").innerText();
  assert.notEqual(percent.replace(/\s/g, ""), "0,0%");
  assert.match(await page.locator("#map-33063 title").textContent(), /^Bordeaux : 1 \//);
  // Today's figures at the top follow too, and every commune is named on the map.
  await page.waitForFunction(
    () => document.querySelector("[data-summary='completes']").textContent === "1",
  );
  assert.equal(await page.locator("#commune-map text.map-label").count(), 28);
  // A click on « Manquants » puts the communes missing the most first.
  await page.locator("#quota-table th[data-sort='missing']").click();
  const missing = await page.locator("#quota-table tbody [data-field='missing']").allInnerTexts();
  const numbers = missing.map(Number);
  assert.deepEqual(numbers, [...numbers].sort((a, b) => b - a), "sorted by missing, most first");
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(process.env.SCREENSHOT_DIR || tmpdir(), "dashboard.png") });
  assert.deepEqual(loads, [], "the page was reloaded");
  assert.deepEqual(errors, []);
  console.log("dashboard updated live after a completed interview");
} catch (error) {
  await reportFailure(page, "cati-dashboard", error);
} finally {
  await browser.close();
}
