// Benchmark: how long after typing stops the results are on screen, in headless Chromium
// against a running Scout. Types each query of a labelled query set at 120 ms a key and
// measures, inside the page, from the last input event to the results for the whole text
// being drawn. Also times the first load of the app. Prints figures; asserts nothing.
//
//   SCOUT_URL=http://127.0.0.1:7700 node web/e2e/typing.mjs /tmp/p1m.queries.jsonl [count]
import { chromium } from "playwright-core";
import { readFileSync } from "node:fs";

const BASE = process.env.SCOUT_URL ?? "http://127.0.0.1:7700";
const file = process.argv[2];
const count = Number(process.argv[3] ?? 30);
// Every other query of the set, so that keyword, filtered and semantic queries all come up.
const queries = file
  ? readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l).text).filter((q, i) => q && i % 2 === 0).slice(0, count)
  : ["vegan fitness creators in Berlin over 50k followers", "German-speaking skincare micro-influencers"];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();

const loads = [];
for (let i = 0; i < 5; i++) {
  const t = Date.now();
  await page.goto(`${BASE}/login`);
  await page.getByRole("heading", { name: "Log in to Scout" }).waitFor();
  loads.push(Date.now() - t);
}

await page.goto(`${BASE}/signup`);
await page.getByRole("radio", { name: /^Brand/ }).check();
await page.getByLabel("Company name").fill("Typing bench");
await page.getByLabel("Work email").fill(`typing-${Date.now()}@bench.test`);
await page.getByLabel("Password").fill("correct horse battery staple");
await page.getByRole("button", { name: "Create account" }).click();
await page.waitForURL(/\/search/);

const box = page.getByRole("searchbox");
// Counts the searches the app sends, and notes when the text last changed.
await page.evaluate(() => {
  document.getElementById("q").addEventListener("input", () => (window.__lastInput = performance.now()));
  const original = window.fetch;
  window.fetch = (url, init) => {
    if (String(url).includes("/v1/search")) window.__searches++;
    return original(url, init);
  };
});
const waits = [];
const searches = [];
for (const q of queries) {
  await box.fill("");
  await page.waitForFunction(() => document.querySelector(".results")?.getAttribute("data-query") === "");
  await page.evaluate(() => (window.__searches = 0));
  await box.pressSequentially(q, { delay: 120 });
  const ms = await page.evaluate(
    (q) =>
      new Promise((resolve) => {
        const poll = () =>
          document.querySelector(".results")?.getAttribute("data-query") === q && !document.querySelector(".cards.stale")
            ? resolve(performance.now() - window.__lastInput)
            : requestAnimationFrame(poll);
        poll();
      }),
    q,
  );
  waits.push(ms);
  searches.push(await page.evaluate(() => window.__searches));
}
await browser.close();

const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const keys = queries.reduce((n, q) => n + q.length, 0);
console.log(`first load of the app (login page usable): p50 ${pct(loads, 50)} ms, max ${Math.max(...loads)} ms over ${loads.length} loads`);
console.log(
  `results after the last key, ${waits.length} queries typed at 120 ms/key: p50 ${pct(waits, 50).toFixed(0)} ms, p90 ${pct(waits, 90).toFixed(0)} ms, max ${Math.max(...waits).toFixed(0)} ms`,
);
console.log(`searches sent: ${searches.reduce((a, b) => a + b, 0)} for ${keys} keystrokes`);
