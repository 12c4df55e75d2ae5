// Time to first thumbnail: from navigation start to the first grid image decoded on screen,
// for a signed-in user (the token is put in sessionStorage before the page runs).
// Input (environment): BASE_URL, TOKEN, LOADS (default 5).
// Output: one JSON line {"cold": {...}, "warm": {...}, "thumbnails": n}, each with the times (ms
// from navigation start) of the first thumbnail, the bundle's arrival and the first moments page.
import { openBrowser } from "./browser.mjs";

const baseUrl = process.env.BASE_URL;
const token = process.env.TOKEN;
const loads = Number(process.env.LOADS ?? 5);

function instrument(context) {
  return context.addInitScript((value) => {
    sessionStorage.setItem("momentloop.token", value);
    document.addEventListener(
      "load",
      (event) => {
        const target = event.target;
        if (window.__firstThumbnail === undefined && target instanceof HTMLImageElement && target.closest("[data-testid=moment]")) {
          window.__firstThumbnail = performance.now();
        }
      },
      true,
    );
  }, token);
}

async function measure(page) {
  await page.goto(baseUrl);
  await page.waitForFunction(() => window.__firstThumbnail !== undefined, null, { timeout: 60_000 });
  return page.evaluate(() => {
    const resources = performance.getEntriesByType("resource");
    const end = (part) => resources.find((entry) => entry.name.includes(part))?.responseEnd ?? null;
    return { first: window.__firstThumbnail, script: end("/assets/"), list: end("/api/moments") };
  });
}

function collect(samples) {
  return {
    first: samples.map((s) => s.first),
    script: samples.map((s) => s.script),
    list: samples.map((s) => s.list),
  };
}

const cold = [];
for (let i = 0; i < loads; i += 1) {
  // A fresh profile each time: nothing cached, the whole bundle comes over the wire.
  const browser = await openBrowser({ loopbackOnly: false });
  await instrument(browser.context);
  const page = browser.context.pages()[0] ?? (await browser.context.newPage());
  cold.push(await measure(page));
  await browser.close();
}

const warm = [];
const browser = await openBrowser({ loopbackOnly: false });
await instrument(browser.context);
const page = browser.context.pages()[0] ?? (await browser.context.newPage());
await measure(page);
for (let i = 0; i < loads; i += 1) warm.push(await measure(page));
const thumbnails = await page.locator("[data-testid=moment]").count();
await browser.close();

process.stdout.write(`${JSON.stringify({ cold: collect(cold), warm: collect(warm), thumbnails })}\n`);
