// The end-to-end journey through nginx, the backend, PostgreSQL and FFmpeg, in Chromium.
// Input (environment): BASE_URL, ARTIFACTS (screenshot folder), IMAGES (JSON list of paths),
// NOT_AN_IMAGE (a text file named like an image).
// Output: one JSON line with what was observed; exit code 1 with the reason on failure.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openBrowser, watchProblems } from "./browser.mjs";

const baseUrl = process.env.BASE_URL;
const artifacts = process.env.ARTIFACTS;
const images = JSON.parse(process.env.IMAGES ?? "[]");
const notAnImage = process.env.NOT_AN_IMAGE;
const TIMEOUT = 60_000;

mkdirSync(artifacts, { recursive: true });
const result = { steps: [] };
const browser = await openBrowser();
const page = browser.context.pages()[0] ?? (await browser.context.newPage());
page.setDefaultTimeout(TIMEOUT);
const problems = watchProblems(page, new URL(baseUrl).origin);
// CSP violations are reported to the page as events: collect them.
await page.addInitScript(() => {
  window.__csp = [];
  document.addEventListener("securitypolicyviolation", (event) => {
    window.__csp.push(`${event.violatedDirective} ${event.blockedURI}`);
  });
});

async function shot(name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
  result.steps.push(name);
}

try {
  // 1. Sign in through the development form (no Google configured).
  const response = await page.goto(baseUrl);
  result.index_headers = response.headers();
  await page.getByLabel("Name or email").waitFor();
  result.sign_in_notice = await page.getByText("development sign-in only").textContent();
  result.google_link = await page.getByRole("link", { name: "Sign in with Google" }).count();
  await shot("01-sign-in");
  await page.getByLabel("Name or email").fill("ada@example.org");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Your moments" }).waitFor();
  await page.getByText("No moments yet.").waitFor();
  result.token = await page.evaluate(() => sessionStorage.getItem("momentloop.token"));
  await shot("02-signed-in");

  // The file picker is reachable with Tab (its label shows the focus).
  for (let i = 0; i < 10 && !(await page.evaluate(() => document.activeElement?.id === "upload-input")); i += 1) {
    await page.keyboard.press("Tab");
  }
  result.tab_reaches_picker = await page.evaluate(() => document.activeElement?.id === "upload-input");
  await shot("02b-keyboard-focus");

  // 2. Upload three images at once with the picker; three thumbnails load.
  await page.locator("#upload-input").setInputFiles(images);
  await page.getByTestId("moment").nth(images.length - 1).waitFor();
  await page.waitForFunction(
    (count) => {
      const imgs = [...document.querySelectorAll("[data-testid=moment] img")];
      return imgs.length === count && imgs.every((img) => img.complete && img.naturalWidth > 0);
    },
    images.length,
  );
  result.thumbnails = await page.getByTestId("moment").count();
  result.uploaded_labels = await page.getByText("Uploaded", { exact: true }).count();
  result.thumbnail_src = await page.locator("[data-testid=moment] img").first().getAttribute("src");
  await shot("03-three-thumbnails");

  // 2b. A file that only claims to be an image: refused by the backend, explained in words.
  const before = problems.length;
  await page.locator("#upload-input").setInputFiles(notAnImage);
  result.not_an_image_error = await page.getByRole("alert").textContent();
  // Chromium logs the refused request itself as a console error: that one is expected here.
  const during = problems.splice(before);
  problems.push(...during.filter((text) => !text.includes("status of 415")));
  result.refusal_logged = during.length - (problems.length - before);
  result.thumbnails_after_refusal = await page.getByTestId("moment").count();
  await shot("03b-not-an-image");

  // 3. Select all three and export; follow the progress the WebSocket reports.
  for (const box of await page.getByRole("checkbox").all()) await box.check();
  await page.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const text = document.querySelector("[data-testid=export-percent]")?.textContent;
      if (text && window.__progress.at(-1) !== text) window.__progress.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  await page.getByRole("button", { name: "Export video" }).click();
  await page.getByRole("progressbar", { name: "Export progress" }).waitFor();
  await shot("04-export-started");
  await page.getByText("Your video is ready.").waitFor({ timeout: 180_000 });
  result.progress_seen = await page.evaluate(() => window.__progress);
  result.progress_value = await page.getByRole("progressbar", { name: "Export progress" }).getAttribute("value");

  // 4. The video plays in the page: metadata loads and the duration is over zero.
  const video = page.getByLabel("Exported video");
  await page.waitForFunction(() => {
    const element = document.querySelector("video");
    return element && element.readyState >= 1 && element.duration > 0;
  });
  result.video_duration = await video.evaluate((element) => element.duration);
  result.video_src = await video.getAttribute("src");
  result.download_href = await page.getByRole("link", { name: "Download video" }).getAttribute("href");
  await shot("05-video-ready");

  // 5. Delete one moment with the keyboard: Enter opens the dialog on Cancel, Tab, Enter deletes.
  await page.getByRole("button", { name: /^Delete moment 1 of/ }).first().focus();
  await page.keyboard.press("Enter");
  const dialog = page.getByRole("alertdialog", { name: "Delete this moment?" });
  await dialog.waitFor();
  result.dialog_focus = await page.evaluate(() => document.activeElement?.textContent);
  await shot("06-confirm-delete");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Enter");
  await dialog.waitFor({ state: "detached" });
  await page.waitForFunction((count) => document.querySelectorAll("[data-testid=moment]").length === count, images.length - 1);
  result.remaining = await page.getByTestId("moment").count();
  await shot("07-after-delete");

  // 6. A reload keeps the session (sessionStorage) and shows what the server has.
  await page.reload();
  await page.getByTestId("moment").nth(images.length - 2).waitFor();
  result.after_reload = await page.getByTestId("moment").count();

  // 7. Sign out.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByLabel("Name or email").waitFor();
  result.token_after_sign_out = await page.evaluate(() => sessionStorage.getItem("momentloop.token"));
  await shot("08-signed-out");

  result.csp_violations = await page.evaluate(() => window.__csp);
  result.problems = problems;
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await browser.close();
} catch (error) {
  result.problems = problems;
  await page.screenshot({ path: join(artifacts, "failure.png"), fullPage: true }).catch(() => {});
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.stderr.write(`e2e flow failed: ${error?.stack ?? error}\n`);
  await browser.close();
  process.exit(1);
}
