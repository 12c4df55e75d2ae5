// Debian's Chromium driven by playwright-core: headless, a fresh profile, nothing but loopback.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** A browser context on a fresh --user-data-dir; `close()` also removes the profile.
 * With `loopbackOnly` (the default) a request to any other host is aborted before it leaves. */
export async function openBrowser({
  executablePath = "/usr/bin/chromium",
  viewport = { width: 1280, height: 1100 },
  loopbackOnly = true,
} = {}) {
  const profile = mkdtempSync(join(tmpdir(), "momentloop-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    acceptDownloads: false,
  });
  if (loopbackOnly) {
    await context.route(
      (url) => !LOOPBACK.has(url.hostname),
      (route) => route.abort("blockedbyclient"),
    );
  }
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Records what our pages (those on `origin`) should never do: script errors, console errors.
 * Other pages (the sign-in provider's) are not ours to judge. */
export function watchProblems(page, origin) {
  const problems = [];
  const ours = () => new URL(page.url()).origin === origin;
  page.on("pageerror", (error) => ours() && problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && ours()) problems.push(`console error: ${message.text()}`);
  });
  return problems;
}
