// One interview in headless Debian Chromium, driven from the keyboard alone.
// Usage: node interview.mjs <base-url> <username> <password>
import assert from "node:assert/strict";
import { launch, reportFailure, settled, submitWith as submitOn, watchErrors } from "./chromium.mjs";

const [base, username, password] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage();
// Page errors and Content-Security-Policy violations (reported on the console) fail the test.
const errors = [];
watchErrors(page, (message) => errors.push(message));
page.setDefaultTimeout(15000);

// Presses a key that submits a form and waits for the next page, once the page shown is ready
// for typing, as a person looks at it first.
const submitWith = (key) => submitOn(page, key);

async function question() {
  return (await page.locator("#answer-form input[name=var]").getAttribute("value")) ?? "";
}

try {
  await page.goto(`${base}/connexion`);
  await settled(page); // a key typed before the autofocus lands is lost
  await page.keyboard.type(username);
  await page.keyboard.press("Tab");
  await page.keyboard.type(password);
  await submitWith("Enter");
  assert.match(page.url(), /\/poste$/);

  await submitWith("Enter"); // « Appel suivant » has the focus
  assert.match(page.url(), /\/poste\/cas$/);
  assert.match(await page.locator("a[href^='tel:+33']").first().getAttribute("href"), /^tel:\+33(53649|63998)/);

  await submitWith("i"); // start the interview
  assert.match(page.url(), /\/poste\/entretien$/);

  let backTested = false;
  let softTested = false;
  for (let guard = 0; guard < 30; guard++) {
    if (await page.locator("#answer-form").count() === 0) break;
    const v = await question();
    if (v === "INTRO") {
      await submitWith("Enter");
    } else if (v === "AGE" && !softTested) {
      await page.keyboard.type("104");
      await submitWith("Enter");
      assert.match(await page.locator(".error").innerText(), /exact/);
      softTested = true;
      await submitWith("Enter"); // confirms the soft check
    } else if (v === "SMARTPHONE") {
      await page.keyboard.press("1");
      await submitWith("Enter");
      if (!backTested) {
        backTested = true;
        assert.equal(await question(), "USAGES");
        await submitWith("Escape"); // back to SMARTPHONE, its answer kept
        assert.equal(await question(), "SMARTPHONE");
        assert.equal(await page.locator("input[data-key='1']").isChecked(), true);
      }
    } else if (v === "USAGES") {
      await page.keyboard.press("1");
      await page.keyboard.press("2");
      await submitWith("Enter");
    } else if (v === "AISANCE") {
      await page.keyboard.press("7");
      await submitWith("Enter");
    } else if (v === "COMMENTAIRE") {
      await submitWith("F2"); // don't know
    } else {
      throw new Error(`unexpected question ${v}`);
    }
  }
  assert.match(await page.locator("h1").innerText(), /Entretien terminé/);
  assert.ok(backTested && softTested);
  await submitWith("Enter"); // next call
  assert.match(page.url(), /\/poste/);
  assert.deepEqual(errors, []);
  console.log("browser interview completed from the keyboard");
} catch (error) {
  await reportFailure(page, "cati-browser", error);
} finally {
  await browser.close();
}
