// Time to interactive of console pages in real Chromium under DevTools' "Fast 3G" network and 4×
// CPU throttling (Chrome DevTools Protocol), with an empty cache, and the wasm and JavaScript each
// page downloads (bytes on the wire, as served).
//
// "Interactive" is the moment the app marks `#app[data-hydrated="true"]` (its first effect ran:
// buttons work from then on); a page with no wasm counts from its `load` event.
//
// Usage: BASE_URL=http://127.0.0.1:PORT E2E_ADMIN_PASSWORD=... node end2end/perf/tti.mjs [runs]
// Prints one tab-separated line per page: page, median TTI ms, min, max, wasm+JS bytes, requests.
import { chromium } from "@playwright/test";

const base = process.env.BASE_URL;
const password = process.env.E2E_ADMIN_PASSWORD;
if (!base || !password) {
  console.error("BASE_URL and E2E_ADMIN_PASSWORD must be set");
  process.exit(2);
}
const runs = Number(process.argv[2] ?? 3);

// DevTools' "Fast 3G" preset (front_end/core/sdk/NetworkManager.ts).
const FAST_3G = {
  offline: false,
  latency: 150 * 3.75,
  downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9,
  uploadThroughput: ((750 * 1000) / 8) * 0.9,
};

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"],
});

async function signedInContext() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.waitForSelector('#app[data-hydrated="true"]', { timeout: 60_000 });
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/$/, { timeout: 60_000 });
  await page.close();
  return context;
}

async function measure(context, path) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    const mark = () => {
      const app = document.getElementById("app");
      if (app && app.dataset.hydrated === "true" && window.__tti === undefined) {
        window.__tti = performance.now();
      }
    };
    new MutationObserver(mark).observe(document, { subtree: true, attributes: true, childList: true });
    addEventListener("load", () => {
      window.__load = performance.now();
    });
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.emulateNetworkConditions", FAST_3G);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const urls = new Map();
  let bytes = 0;
  let requests = 0;
  cdp.on("Network.responseReceived", (e) => urls.set(e.requestId, e.response.url));
  cdp.on("Network.loadingFinished", (e) => {
    const url = urls.get(e.requestId) ?? "";
    if (/\.(wasm|js)(\?|$)/.test(url)) {
      bytes += e.encodedDataLength;
      requests += 1;
    }
  });
  await page.goto(`${base}${path}`, { waitUntil: "load", timeout: 120_000 });
  const hasWasm = await page.evaluate(() => !!document.querySelector('script[type="module"], link[rel="modulepreload"]'));
  if (hasWasm) {
    await page.waitForFunction(() => window.__tti !== undefined, null, { timeout: 120_000, polling: 100 });
  }
  // Whatever the page fetches after its first effect still counts: wait for the network to settle.
  await page.waitForLoadState("networkidle", { timeout: 120_000 });
  const tti = await page.evaluate(() => window.__tti ?? window.__load);
  await page.close();
  return { tti, bytes, requests };
}

const context = await signedInContext();
const pages = [
  ["sign-in (/login)", "/login"],
  ["Users (/users)", "/users"],
  ["Home (/)", "/"],
];
for (const [name, path] of pages) {
  // The sign-in page is measured signed out (what a person sees before signing in).
  const ctx = path === "/login" ? await browser.newContext({ viewport: { width: 1280, height: 800 } }) : context;
  const samples = [];
  for (let i = 0; i < runs; i++) samples.push(await measure(ctx, path));
  const ttis = samples.map((s) => s.tti).sort((a, b) => a - b);
  const median = ttis[Math.floor(ttis.length / 2)];
  const last = samples[samples.length - 1];
  console.log(
    [name, median.toFixed(0), ttis[0].toFixed(0), ttis[ttis.length - 1].toFixed(0), last.bytes, last.requests].join("\t"),
  );
  if (ctx !== context) await ctx.close();
}
await browser.close();
