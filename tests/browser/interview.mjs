// One interview in headless Debian Chromium, driven from the keyboard alone.
// Usage: node interview.mjs <base-url> <username> <password>
import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch, watchErrors } from "./chromium.mjs";

const [base, username, password] = process.argv.slice(2);
const browser = await launch();
const page = await browser.newPage();
// Page errors and Content-Security-Policy violations (reported on the console) fail the test.
const errors = [];
watchErrors(page, (message) => errors.push(message));
page.setDefaultTimeout(15000);

// Presses a key that submits a form and waits for the next page. A person looks at the page
// before typing; the test waits, likewise, until a page with an autofocused field has moved the
// focus off the body, which a loaded machine may do a moment after the "load" event.
async function submitWith(key) {
  await page.waitForFunction(() => {
    const target = document.querySelector("[autofocus]");
    return !target || document.activeElement !== document.body;
  });
  await Promise.all([page.waitForEvent("load"), page.keyboard.press(key)]);
}

async function question() {
  return (await page.locator("#answer-form input[name=var]").getAttribute("value")) ?? "";
}

try {
  await page.goto(`${base}/connexion`);
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
  console.error(error);
  try {
    await page.screenshot({ path: join(process.env.SCREENSHOT_DIR || tmpdir(), "cati-browser-failure.png") });
    console.error((await page.content()).slice(0, 4000));
  } catch {}
  process.exitCode = 1;
} finally {
  await browser.close();
}
