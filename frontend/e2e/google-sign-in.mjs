// Google sign-in in Chromium against a real OpenID Connect provider on loopback: the sign-in
// page's link, the provider's consent form, the callback's redirect to /#token=..., the grid; then
// a refusal at the provider, explained on the sign-in page.
// Input (environment): BASE_URL, ISSUER, ARTIFACTS. Output: one JSON line; exit 1 on failure.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { openBrowser, watchProblems } from "./browser.mjs";

const { BASE_URL: baseUrl, ISSUER: issuer, ARTIFACTS: artifacts } = process.env;
mkdirSync(artifacts, { recursive: true });
const result = { steps: [] };
const browser = await openBrowser();
const page = browser.context.pages()[0] ?? (await browser.context.newPage());
page.setDefaultTimeout(60_000);
const problems = watchProblems(page, new URL(baseUrl).origin);

async function shot(name) {
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
  result.steps.push(name);
}

try {
  await page.goto(baseUrl);
  const google = page.getByRole("link", { name: "Sign in with Google" });
  await google.waitFor();
  result.dev_form = await page.getByLabel("Name or email").count();
  result.dev_only_notice = await page.getByText("development sign-in only").count();
  await shot("g1-sign-in-with-google");

  await google.click();
  await page.waitForURL((url) => url.href.startsWith(issuer));
  result.provider_page = page.url().startsWith(`${issuer}/`);
  await page.locator("input[name=sub]").fill("grace");
  await shot("g2-provider-consent");
  await page.getByRole("button", { name: "Authorize" }).click();

  await page.getByRole("heading", { name: "Your moments" }).waitFor();
  await page.getByText("No moments yet.").waitFor();
  result.back_on = new URL(page.url()).origin === new URL(baseUrl).origin;
  result.hash_after = new URL(page.url()).hash;
  result.token = await page.evaluate(() => sessionStorage.getItem("momentloop.token"));
  result.signed_in_as = await page.locator(".who").textContent();
  await shot("g3-signed-in");

  await page.getByRole("button", { name: "Sign out" }).click();
  await google.click();
  await page.waitForURL((url) => url.href.startsWith(issuer));
  await page.getByRole("button", { name: "Deny" }).click();
  const alert = page.getByRole("alert");
  await alert.waitFor();
  result.denied_message = await alert.textContent();
  result.token_after_denial = await page.evaluate(() => sessionStorage.getItem("momentloop.token"));
  await shot("g4-denied");

  result.problems = problems;
  process.stdout.write(`${JSON.stringify(result)}\n`);
  await browser.close();
} catch (error) {
  result.problems = problems;
  await page.screenshot({ path: join(artifacts, "g-failure.png") }).catch(() => {});
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.stderr.write(`google sign-in flow failed: ${error?.stack ?? error}\n`);
  await browser.close();
  process.exit(1);
}
