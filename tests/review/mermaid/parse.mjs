// Parses the Mermaid text on stdin with Mermaid itself, in headless Debian chromium.
// Prints "ok <diagram type>" and exits 0, or prints Mermaid's error and exits 1.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const text = readFileSync(0, "utf8");
const bundle = fileURLToPath(new URL("./node_modules/mermaid/dist/mermaid.min.js", import.meta.url));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: bundle });
  const result = await page.evaluate(async (source) => {
    try {
      const parsed = await window.mermaid.parse(source);
      return { ok: true, type: parsed.diagramType };
    } catch (error) {
      return { ok: false, error: String(error && error.message ? error.message : error) };
    }
  }, text);
  if (result.ok) {
    console.log(`ok ${result.type}`);
  } else {
    console.log(result.error);
    process.exitCode = 1;
  }
} finally {
  await browser.close();
}
