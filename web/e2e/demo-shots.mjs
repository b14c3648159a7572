// Screenshots of the demo marketplace as its accounts see it, against a
// `scout serve` with demo data: SCOUT_URL=http://127.0.0.1:7700 node web/e2e/demo-shots.mjs OUTDIR
import { chromium } from "playwright-core";

const BASE = process.env.SCOUT_URL ?? "http://127.0.0.1:7700";
const out = process.argv[2] ?? "docs/screenshots";
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
async function as(email, pages) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const page = await context.newPage();
  await page.goto(`${BASE}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("scout demo account");
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((u) => !new URL(u).pathname.startsWith("/login"));
  for (const [path, name, ready] of pages) {
    await page.goto(`${BASE}${path}`);
    await page.getByText(ready).first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${out}/${name}.png`, fullPage: false });
  }
  await context.close();
}
await as("brand@demo.example.com", [["/campaigns", "demo-campaigns-desktop", "Winter porridge recipes"], ["/deals", "demo-brand-deals-desktop", "Deals"]]);
await as("creator@demo.example.com", [["/marketplace", "demo-marketplace-desktop", "Glow week"], ["/deals", "demo-creator-deals-desktop", "Deals"]]);
await browser.close();
console.log("demo screenshots written");
