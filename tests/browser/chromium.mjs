// What every browser script shares: Debian's headless Chromium, and the errors that fail a test.
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
