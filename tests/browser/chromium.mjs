// What every browser script shares: Debian's headless Chromium, the errors that fail a test,
// and what a failed script leaves behind.
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { chromium } from "playwright-core";

// Launches headless Chromium (`CHROMIUM`, default Debian's /usr/bin/chromium).
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run",
    ],
  });
}

// Reports to `report` the page's errors and its Content-Security-Policy violations (which
// Chromium logs on the console as errors): any of them fails a test.
export function watchErrors(page, report) {
  page.on("pageerror", (error) => report(error.message));
  page.on("console", (message) => {
    if (message.type() === "error" && /Content Security Policy/i.test(message.text())) report(message.text());
  });
}

// Waits until `page` has its focus where a person would start typing: a page with an
// autofocused field moves the focus off the body, on a loaded machine a moment after "load".
export async function settled(page) {
  await page.waitForFunction(() => {
    const target = document.querySelector("[autofocus]");
    return !target || document.activeElement !== document.body;
  });
}

// Presses `key` on the settled `page`, which loads another page, and returns how long that took
// in milliseconds, from the key press to the next page's "load" event.
export async function submitWith(page, key) {
  await settled(page);
  const start = performance.now();
  await Promise.all([page.waitForEvent("load"), page.keyboard.press(key)]);
  return performance.now() - start;
}

// Reports a failed script: the error, a screenshot `<name>-failure.png` in SCREENSHOT_DIR (or
// the temporary folder) and the start of the page's HTML; the process then exits with 1.
export async function reportFailure(page, name, error) {
  console.error(error);
  try {
    await page.screenshot({ path: join(process.env.SCREENSHOT_DIR || tmpdir(), `${name}-failure.png`) });
    console.error((await page.content()).slice(0, 6000));
  } catch {}
  process.exitCode = 1;
}
