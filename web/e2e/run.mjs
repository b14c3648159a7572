// End-to-end test of Scout's web app in headless Chromium, the way a person uses it:
// sign up as a brand, search in free text, refine with a filter, open a profile,
// shortlist two creators, export the shortlist, log out; the same at a phone's
// size; and an axe-core accessibility scan of the main pages.
//
//   SCOUT_URL=http://127.0.0.1:7700 node web/e2e/run.mjs
//
// Optional: SCOUT_SCREENSHOTS=dir writes screenshots of the main pages there;
// CHROMIUM=/path overrides /usr/bin/chromium. Prints one JSON object per check
// and a summary line; exits 1 at the first failure, with what was on screen.
import { chromium } from "playwright-core";
import { createHmac } from "node:crypto";
import { readFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

const BASE = process.env.SCOUT_URL ?? "http://127.0.0.1:7700";
const SHOTS = process.env.SCOUT_SCREENSHOTS;
const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const PASSWORD = "correct horse battery staple";
const QUERY = process.env.SCOUT_E2E_QUERY ?? "fitness creators in Germany";

let passed = 0;
/** The page of the step running now, photographed when a step fails. */
let current = null;
function check(name, ok, detail = "") {
  if (!ok) throw new Error(`${name} failed${detail ? `: ${detail}` : ""}`);
  passed++;
  console.log(JSON.stringify({ check: name, ok: true, ...(detail ? { detail } : {}) }));
}

/** RFC 6238 TOTP (SHA-1, 6 digits, 30 s steps) of a base32 secret, `offset` steps from now. */
function totp(base32, offset = 0) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of base32.replace(/[\s=]/g, "").toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30000) + offset));
  const mac = createHmac("sha1", key).update(counter).digest();
  const at = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1e6).padStart(6, "0");
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: name.endsWith("-full") });
}

/**
 * Runs axe-core on the page; fails on any violation, naming each and its first element.
 * `target-size` (WCAG 2.2 SC 2.5.8: targets of at least 24×24 CSS px, or spaced so) is off
 * in axe's defaults and turned on here.
 */
async function axe(page, name) {
  await page.evaluate(AXE);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"], rules: { "target-size": { enabled: true } } });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes[0]?.target?.join(" ")} ×${v.nodes.length}`);
  });
  check(`axe clean: ${name}`, result.length === 0, result.join("; "));
}

/** Parses CSV (RFC 4180: quoted cells may hold commas, quotes and line breaks) into records. */
function csvRecords(text) {
  const records = [];
  let record = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      record.push(cell);
      records.push(record);
      record = [];
      cell = "";
    } else cell += c;
  }
  if (cell !== "" || record.length) records.push([...record, cell]);
  return records;
}

/** Sums the page's layout shifts (CLS without user input) from its first paint into `window.__cls`. */
async function watchLayoutShift(page) {
  await page.addInitScript(() => {
    window.__cls = 0;
    window.__shifts = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        window.__cls += e.value;
        const what = (e.sources ?? [])
          .map((s) => `${s.node ? `${s.node.nodeName}.${s.node.className ?? ""}${s.node.querySelector?.("legend")?.textContent ?? ""}` : "?"} y ${Math.round(s.previousRect.y)}→${Math.round(s.currentRect.y)} h ${Math.round(s.previousRect.height)}→${Math.round(s.currentRect.height)}`)
          .join(",");
        window.__shifts.push(`${e.value.toFixed(3)} ${what}`);
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
}

/** On a phone nothing may make the page scroll sideways. */
async function fits(page, name) {
  const { width, inner } = await page.evaluate(() => ({ width: document.documentElement.scrollWidth, inner: window.innerWidth }));
  check(`phone: ${name} fits the screen`, width <= inner, `${width} px wide in ${inner}`);
}

/**
 * Waits until the results on screen answer the search in the address bar: the URL can
 * change a moment before the new search starts, so "no stale cards" alone may still see
 * the previous answer.
 */
async function settled(page) {
  await page.waitForFunction(() => {
    const results = document.querySelector(".results");
    return results?.getAttribute("data-search") === location.search && !document.querySelector(".cards.stale");
  });
}

/** The whole flow of one person, at one screen size. */
async function flow(browser, { label, viewport, phone }) {
  // bypassCSP lets the scan inject axe-core; the app itself runs under its CSP.
  const context = await browser.newContext({ viewport, acceptDownloads: true, bypassCSP: true, hasTouch: phone, isMobile: phone });
  const page = await context.newPage();
  current = page;
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // A read turned away with 429 is asked again by the app (Retry-After); a refused write is an error.
  page.on("response", (r) => r.status() === 429 && r.request().method() !== "GET" && errors.push(`429 from ${r.request().method()} ${new URL(r.url()).pathname}`));
  // 401/403 are answers the app handles; a disconnected network is the offline step's own doing.
  page.on("console", (m) => m.type() === "error" && !/status of 40[13]|status of 429|ERR_INTERNET_DISCONNECTED/.test(m.text()) && errors.push(m.text()));
  const email = `brand-${label}-${Date.now()}@e2e.test`;

  // First load: timing of the app shell on loopback.
  const started = Date.now();
  await page.goto(`${BASE}/`);
  await page.getByRole("heading", { level: 1, name: /Find the creators/ }).waitFor();
  const loadMs = Date.now() - started;
  const nav = await page.evaluate(() => performance.getEntriesByType("navigation")[0]?.toJSON());
  check(`${label}: a visitor lands on a page that says what Scout does`, (await page.locator(".landing .lead").textContent())?.includes("creators"), `${loadMs} ms to a usable page, DOM ready at ${Math.round(nav?.domContentLoadedEventEnd ?? 0)} ms`);
  // A sample search without an account.
  await page.locator(".landing .samples button").first().click();
  await page.locator(".preview-cards li").first().waitFor();
  const previewCards = await page.locator(".preview-cards li").count();
  const previewLine = (await page.locator(".landing [aria-live] p").first().textContent()) ?? "";
  check(`${label}: a visitor tries a sample search without an account`, previewCards > 0 && previewCards <= 5 && /creators? match/.test(previewLine), `${previewCards} cards; ${previewLine}`);
  await axe(page, phone ? "landing (phone)" : "landing");
  if (phone) await fits(page, "landing");
  await shot(page, `landing-${label}`);
  await page.getByRole("link", { name: "Log in" }).first().click();
  await page.getByRole("heading", { name: "Log in to Scout" }).waitFor();
  await axe(page, phone ? "login (phone)" : "login");
  await shot(page, `login-${label}`);
  // The login page leads to a password reset.
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  await page.getByRole("heading", { name: "Reset your password" }).waitFor();
  await page.getByLabel("Email").fill(`nobody-${label}@e2e.test`);
  await page.getByRole("button", { name: "Mail me a link" }).click();
  await page.getByText(/a mail with a link to choose a new password is on its way/).waitFor();
  check(`${label}: a forgotten password is reset from the login page`, true);
  await page.getByRole("link", { name: "Back to log in" }).click();
  await page.getByRole("heading", { name: "Log in to Scout" }).waitFor();

  // Sign up as a brand.
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByRole("heading", { name: "Create your Scout account" }).waitFor();
  await page.getByRole("radio", { name: /^Brand/ }).check();
  await page.getByLabel("Company name").fill(`Acme ${label}`);
  await page.getByLabel("Work email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await axe(page, phone ? "sign-up (phone)" : "sign-up");
  await shot(page, `signup-${label}`);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/search/);
  check(`${label}: sign-up lands on search`, true);
  await searchFindings(page, context, label, phone);

  // Free-text search, as typed: results come without pressing Enter.
  const box = page.getByRole("searchbox");
  await box.click();
  // Typed at a brisk 120 ms a key; the results must follow the last key without Enter.
  await page.evaluate(() => document.getElementById("q")?.addEventListener("input", () => (window.__lastInput = performance.now())));
  await box.pressSequentially(QUERY, { delay: 120 });
  // Measured in the page, from the last input event to results for the whole text on screen.
  const afterTyping = await page.evaluate(
    (q) =>
      new Promise((resolve) => {
        const done = () => document.querySelector(".results")?.getAttribute("data-query") === q && !document.querySelector(".cards.stale");
        const poll = () => (done() ? resolve(Math.round(performance.now() - window.__lastInput)) : requestAnimationFrame(poll));
        poll();
      }),
    QUERY,
  );
  const cards = page.locator("article.result");
  const found = await cards.count();
  check(`${label}: typing runs the search`, found > 0, `${found} results on the first page, shown ${afterTyping} ms after the last key`);
  const chips = await page.locator(".chips .chip span").allTextContents();
  check(`${label}: understood filters show as chips`, chips.some((c) => /germany/i.test(c)), chips.join(" | "));
  const summary = await page.locator(".results-head .summary").textContent();
  check(`${label}: the total and timing are shown`, /creators? · showing/.test(summary ?? ""), summary ?? "");

  // Refine with a filter from the panel (behind "Filters" on a phone).
  if (phone) await page.getByRole("button", { name: /^Filters/ }).click();
  const platformBox = page.locator("fieldset", { hasText: "Platform" }).locator("label.check").first();
  const platformName = ((await platformBox.textContent()) ?? "").replace(/[\d,]+$/, "").trim();
  await platformBox.locator("input").check();
  await page.waitForURL((u) => new URL(u).searchParams.has("platform"));
  await settled(page);
  const handles = await page.locator("article.result .handle").allTextContents();
  check(
    `${label}: a platform filter narrows the results`,
    handles.length > 0 && handles.every((h) => h.toLowerCase().includes(platformName.toLowerCase())),
    `${platformName}: ${handles.length} results`,
  );
  if (phone) await page.getByRole("button", { name: /^Filters/ }).click();
  const searchUrl = page.url();
  await axe(page, phone ? "search results (phone)" : "search results");
  if (phone) await fits(page, "search");
  await shot(page, `search-${label}`);

  if (!phone) {
    // Price and audience quality from the panel, in a second tab of the same search.
    const tab = await context.newPage();
    await tab.goto(searchUrl);
    await settled(tab);
    const priceBox = tab.locator("fieldset", { hasText: "Price per post" });
    await priceBox.getByLabel("Up to").fill("2000");
    await priceBox.getByLabel("Up to").press("Enter");
    await tab.waitForURL((u) => new URL(u).searchParams.get("pmax") === "2000");
    await tab.getByLabel("Real, active followers").selectOption({ label: "High (80%+)" });
    await tab.waitForURL((u) => new URL(u).searchParams.get("aq") === "80");
    await settled(tab);
    const tabChips = await tab.locator(".chips .chip span").allTextContents();
    const prices = await tab.locator("article.result dd.price").allTextContents();
    const badges = await tab.locator("article.result .badge").allTextContents();
    const qualities = badges.map((b) => Number(/(\d+)\s*%/.exec(b)?.[1] ?? "-1"));
    check(
      `${label}: price and audience-quality filters narrow the results`,
      qualities.length > 0 && qualities.every((q) => q >= 80) && tabChips.some((c) => /≤ \$2,000 per post/.test(c)) && tabChips.some((c) => /audience quality ≥ 80%/.test(c)) && !prices.some((p) => /on request/.test(p)),
      `${qualities.length} results, quality ${Math.min(...qualities)}–${Math.max(...qualities)} %; chips: ${tabChips.join(" | ")}`,
    );
    // The price and quality fields in view, with the first results beside them.
    await tab.evaluate(() => {
      const box = [...document.querySelectorAll("fieldset")].find((f) => f.textContent?.includes("Price per post"));
      box?.scrollIntoView({ block: "center" });
    });
    await shot(tab, "search-price-quality-desktop");
    await tab.close();

    // A state from the panel's region box: typed in part, picked from the suggestions.
    const regionTab = await context.newPage();
    await regionTab.goto(new URL("/search?q=food", searchUrl).href);
    await settled(regionTab);
    await regionTab.getByLabel("State or region").fill("bavar");
    await regionTab.locator("#region-options option").first().waitFor({ state: "attached" });
    await regionTab.getByLabel("State or region").press("Enter");
    await regionTab.waitForURL((u) => new URL(u).searchParams.get("region") === "DE:Bavaria");
    await settled(regionTab);
    const picked = await regionTab.locator(".regions .picked li").allTextContents();
    const places = await regionTab.locator("article.result .handle").allTextContents();
    check(
      `${label}: the region box suggests a state and filters by it`,
      picked.some((p) => p.includes("Bavaria")) && places.length > 0 && places.every((p) => /Munich/.test(p)),
      `picked ${picked.join(", ")}; ${places.length} results`,
    );
    await regionTab.close();
  }

  // A shared link reproduces the search.
  const shared = await context.newPage();
  await shared.goto(searchUrl);
  await settled(shared);
  check(`${label}: the URL holds the search`, (await shared.locator("article.result .handle").first().textContent()) === handles[0]);
  await shared.close();

  // Open the first profile.
  const firstName = (await page.locator("article.result h2 a").first().textContent())?.trim();
  if (phone) await page.locator("article.result h2 a").first().click();
  else {
    // With the keyboard only: Tab from the search box to "Skip to results", Enter, then
    // Tab to the first result's link and Enter.
    await page.getByRole("searchbox").focus();
    let tabs = 0;
    const tabTo = async (selector, most) => {
      for (let i = 0; i < most && !(await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)); i++) {
        await page.keyboard.press("Tab");
        tabs++;
      }
    };
    await tabTo("a.skip-link", 10);
    await page.keyboard.press("Enter");
    await tabTo("article.result h2 a", 10);
    const reached = await page.evaluate(() => document.activeElement?.textContent?.trim());
    check(`${label}: the keyboard reaches the first result`, reached === firstName, `${tabs} Tab presses from the search box`);
    await page.keyboard.press("Enter");
  }
  await page.waitForURL(/\/profiles\/\d+/);
  await page.getByRole("heading", { level: 1, name: firstName }).waitFor();
  await page.getByText("Countries", { exact: true }).waitFor();
  await page.locator("svg.line-chart, .chart .muted").first().waitFor();
  check(`${label}: the profile page shows audience and growth`, true, firstName);
  const opened = { handle: ((await page.locator(".profile-title .handle").textContent()) ?? "").split(" on ")[0].trim(), platform: ((await page.locator(".profile-title .handle").textContent()) ?? "").split(" on ")[1]?.split(" · ")[0]?.trim().toLowerCase() };
  await page.locator("#h-similar ~ ul li, #h-similar ~ p").first().waitFor();
  await axe(page, phone ? "profile (phone)" : "profile");
  if (phone) {
    await fits(page, "profile");
    // Tables are labelled cards on a phone: every column's value is on screen.
    const hidden = await page.evaluate(() =>
      [...document.querySelectorAll("table.stack td")].filter((td) => {
        const r = td.getBoundingClientRect();
        return r.width > 0 && (r.right > window.innerWidth + 1 || r.left < -1);
      }).length,
    );
    const verdicts = await page.locator("table.rates td[data-label='Verdict']").count();
    check(`${label}: profile tables show every column on a phone`, hidden === 0, `${verdicts} verdicts, ${hidden} cells off screen`);
  }
  await shot(page, `profile-${label}`);
  await shot(page, `profile-${label}-full`);

  if (!phone) {
    // A profile that is not there costs one request: its sections are not asked for.
    const asked = [];
    const gone = await context.newPage();
    gone.on("request", (r) => r.url().includes("/v1/profiles/") && asked.push(new URL(r.url()).pathname));
    await gone.goto(`${BASE}/profiles/987654321`);
    await gone.getByRole("heading", { name: "Profile not available" }).waitFor();
    await gone.waitForTimeout(300);
    check(`${label}: a missing profile asks for nothing more`, asked.length === 1, asked.join(", "));
    await gone.close();
  }

  // Shortlist it into a new list.
  const listName = `E2E ${label}`;
  await page.getByRole("button", { name: "+ Shortlist" }).first().click();
  await page.getByLabel("New shortlist").fill(listName);
  await page.getByRole("button", { name: "Create and add" }).click();
  await page.getByText(`Added to “${listName}”`).waitFor();
  check(`${label}: add a creator to a new shortlist from the profile`, true);

  // Back to the results; shortlist the second creator there.
  await page.goBack();
  await page.waitForURL(/\/search/);
  const second = page.locator("article.result").nth(1);
  await second.waitFor();
  await second.getByRole("button", { name: "+ Shortlist" }).click();
  await second.getByRole("button", { name: new RegExp(`^${listName}`) }).click();
  await second.getByText(`Added to “${listName}”`).waitFor();
  check(`${label}: add a second creator from the results`, true);

  // The shortlist, side by side, exported.
  if (phone) await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("link", { name: "Shortlists" }).click();
  await page.getByRole("link", { name: listName }).click();
  await page.getByRole("heading", { level: 1, name: listName }).waitFor();
  const entries = page.locator("li.entry");
  await entries.nth(1).waitFor();
  check(`${label}: the shortlist holds both creators`, (await entries.count()) === 2);
  // A blank name is refused in the page's own words, before the API is asked.
  await page.getByRole("button", { name: "Rename" }).click();
  await page.getByLabel("Name", { exact: true }).fill("   ");
  await page.getByRole("button", { name: "Save", exact: true }).first().click();
  const blank = (await page.locator(".alert").first().textContent()) ?? "";
  check(`${label}: renaming a list to blank says why in plain words`, /needs a name/.test(blank), blank);
  await page.getByLabel("Name", { exact: true }).fill(listName);
  await page.getByRole("button", { name: "Save", exact: true }).first().click();
  await page.getByRole("heading", { level: 1, name: listName }).waitFor();
  const note = "Strong engagement, ask for a reel rate\nNext: ask about usage rights";
  await entries.nth(0).getByLabel("Note").fill(note);
  await entries.nth(0).getByLabel("Tags").fill("first choice, e2e");
  await entries.nth(0).getByRole("button", { name: "Save" }).click();
  await page.getByText("Saved", { exact: true }).waitFor();
  // A note keeps its lines through a save and a reload.
  await page.reload();
  await page.locator("li.entry textarea").first().waitFor();
  const notes = await page.locator("li.entry textarea").evaluateAll((areas) => areas.map((a) => a.value));
  check(`${label}: a multi-line note keeps its lines`, notes.includes(note), JSON.stringify(notes));
  for (let i = 0; i < 2; i++) await entries.nth(i).locator("input[type=checkbox]").check();
  await page.getByRole("button", { name: /Compare selected/ }).click();
  await page.getByRole("heading", { name: "Side by side" }).waitFor();
  const columns = await page.locator(".compare thead th").count();
  check(`${label}: compare two creators side by side`, columns === 3, `${columns - 1} creators`);
  await axe(page, phone ? "shortlist (phone)" : "shortlist");
  if (phone) await fits(page, "shortlist");
  await shot(page, `shortlist-${label}`);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
  const csv = csvRecords(readFileSync(await download.path(), "utf8"));
  const tagsAt = csv[0]?.indexOf("tags") ?? -1;
  const noteAt = csv[0]?.indexOf("note") ?? -1;
  const chosen = csv.find((r) => r[tagsAt]?.includes("first choice"));
  check(`${label}: the CSV export has a header and both creators`, csv.length === 3 && tagsAt > 0 && chosen !== undefined, `${csv.length - 1} rows: ${csv[0]?.join(",")}`);
  check(`${label}: the CSV keeps each tag whole`, ["e2e, first choice", "first choice, e2e"].includes(chosen?.[tagsAt] ?? ""), JSON.stringify(chosen?.[tagsAt]));
  check(`${label}: the CSV keeps a multi-line note in one cell`, chosen?.[noteAt] === note, JSON.stringify(chosen?.[noteAt]));
  // Removing a compared creator leaves no stale comparison behind.
  // (The first one, added from its profile; the other carries the search it was found with.)
  await entries.nth(0).getByRole("button", { name: "Remove" }).click();
  await page.waitForFunction(() => document.querySelectorAll("li.entry").length === 1);
  await page.waitForFunction(() => !new URL(location.href).searchParams.has("compare"));
  const compareButton = (await page.getByRole("button", { name: /Compare selected/ }).textContent()) ?? "";
  const stillCompared = await page.getByRole("heading", { name: "Side by side" }).count();
  check(`${label}: removing a compared creator clears the comparison`, stillCompared === 0 && !/\(2\)/.test(compareButton), `${compareButton}; url ${page.url()}`);

  // Account page (2FA set-up shows a QR code), then log out.
  if (phone) await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("heading", { level: 1, name: "Account" }).waitFor();
  if (!phone) {
    // A colleague with a Scout account joins the organisation as a viewer, then becomes a member.
    const colleague = `colleague-${Date.now()}@e2e.test`;
    const registered = await fetch(`${BASE}/v1/auth/register`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: colleague, password: PASSWORD, role: "brand", name: "Casey Colleague" }),
    });
    // Sign-up answers before the account exists (the same answer for a taken address): wait until it logs in.
    for (let i = 0; i < 4; i++) {
      await new Promise((done) => setTimeout(done, 250));
      const login = await fetch(`${BASE}/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: colleague, password: PASSWORD }),
      });
      if (login.ok) break;
    }
    await page.getByLabel("Add a member by email").fill(colleague);
    await page.locator("form.inline").getByRole("combobox").selectOption("viewer");
    await page.getByRole("button", { name: "Add member" }).click();
    await page.locator("tr", { hasText: colleague }).waitFor();
    const roleBox = page.getByLabel("Role of Casey Colleague");
    const before = await roleBox.inputValue();
    await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/v1/orgs/current/members") && r.request().method() === "GET"),
      roleBox.selectOption("member"),
    ]);
    // The reloaded list renders a moment after its response arrives: wait for the box to show
    // the stored role (it stays "viewer" if the change was not saved, and the check fails).
    await page
      .waitForFunction((label) => document.querySelector(`select[aria-label="${label}"]`)?.value === "member", "Role of Casey Colleague", { timeout: 5000 })
      .catch(() => {});
    const after = await roleBox.inputValue();
    check(`${label}: an owner adds a colleague as a viewer and makes them a member`, registered.status === 202 && before === "viewer" && after === "member", `${before} → ${after}`);
  }
  await page.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await page.getByRole("img", { name: /QR code/ }).waitFor();
  check(`${label}: 2FA set-up shows a QR code`, true);
  await axe(page, phone ? "account (phone)" : "account");
  if (phone) await fits(page, "account");
  // Opening the account page: its cards keep their room while they load.
  const accountTab = await context.newPage();
  await watchLayoutShift(accountTab);
  await accountTab.goto(`${BASE}/account`);
  await accountTab.locator("table.stack tbody tr td", { hasText: "@" }).first().waitFor();
  await accountTab.waitForTimeout(300);
  const accountCls = await accountTab.evaluate(() => window.__cls);
  const accountShifts = await accountTab.evaluate(() => window.__shifts.join("; "));
  check(`${label}: opening the account page shifts the layout by less than 0.1`, accountCls < 0.1, `CLS ${accountCls.toFixed(3)}: ${accountShifts}`);
  await accountTab.close();
  const keyHelp = (await page.locator("#h-keys ~ p").first().textContent()) ?? "";
  check(`${label}: the API-key help says keys are bearer tokens`, /Bearer/.test(keyHelp) && !/oauth\/token/.test(keyHelp), keyHelp);
  await shot(page, `account-${label}`);
  const secret = phone ? null : (await page.locator("code.secret").textContent())?.trim();
  const secretCodes = [];
  if (secret) {
    // Turn 2FA on with a code from the key, as an authenticator app would.
    await page.getByLabel("Code from the app").fill(totp(secret));
    await page.getByRole("button", { name: "Turn on" }).click();
    await page.getByText("Two-factor authentication is on.").waitFor();
    const recovery = await page.locator("ul.codes code").count();
    check(`${label}: 2FA turns on with an authenticator code and shows recovery codes`, recovery >= 5, `${recovery} recovery codes`);
    // New recovery codes with a code from the app (the next step's: a code works once).
    const firstCodes = await page.locator("ul.codes code").allTextContents();
    await page.getByRole("button", { name: "New recovery codes" }).click();
    await page.getByLabel("Code from the app, or a recovery code").fill(firstCodes[0]);
    await page.getByRole("button", { name: "Make new codes" }).click();
    await page.waitForFunction((old) => document.querySelector("ul.codes code")?.textContent !== old, firstCodes[0]);
    const renewed = await page.locator("ul.codes code").allTextContents();
    check(`${label}: new recovery codes replace the old ones`, renewed.length === firstCodes.length && !renewed.some((c) => firstCodes.includes(c)), `${renewed.length} new codes`);
    secretCodes.push(...renewed);
  }
  // An API key: created, copied with its button, and the copy works as a bearer token.
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: BASE });
  const keyName = `e2e ${label}`;
  await page.getByLabel("Key name").fill(keyName);
  await page.getByRole("button", { name: "Create key" }).click();
  await page.getByRole("button", { name: "Copy key" }).click();
  await page.getByRole("button", { name: "Copied" }).waitFor();
  const copiedKey = await page.evaluate(() => navigator.clipboard.readText());
  const shownKey = (await page.locator("code.secret", { hasText: "sk_" }).textContent())?.trim();
  const keyStatus = await page.evaluate(async (k) => (await fetch("/v1/search?q=yoga", { headers: { Authorization: `Bearer ${k}` } })).status, copiedKey);
  check(`${label}: the copy button copies the new key, and it works as a bearer token`, copiedKey === shownKey && copiedKey.startsWith("sk_") && keyStatus === 200, `${copiedKey.slice(0, 8)}… → ${keyStatus}`);
  await page.locator("ul.keys li", { hasText: keyName }).getByRole("button", { name: "Revoke" }).click();
  await page.locator("ul.keys li", { hasText: keyName }).waitFor({ state: "detached" });
  if (phone) await page.getByRole("button", { name: "Menu" }).click();
  await page.getByRole("button", { name: "Log out" }).click();
  await page.waitForURL(/\/login/);
  if (secret) {
    // Logging in again asks for a code; the next step's code (a code is never accepted twice).
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByLabel("Authentication code").fill(totp(secret, 1));
    await page.getByRole("button", { name: "Log in" }).click();
    // Back where the owner was when logged out.
    await page.waitForURL((u) => !new URL(u).pathname.startsWith("/login"));
    await page.getByRole("button", { name: "Log out" }).waitFor();
    check(`${label}: with 2FA on, login asks for the code and lets the owner in`, true, new URL(page.url()).pathname);
    // Turning it off takes the password and a code.
    await page.getByRole("link", { name: "Account" }).click();
    await page.getByRole("button", { name: "Turn off" }).click();
    await page.getByLabel("Password").fill(PASSWORD);
    await page.getByLabel("Code from the app, or a recovery code").fill(secretCodes[0]);
    await page.getByRole("button", { name: "Turn off two-factor authentication" }).click();
    await page.getByRole("button", { name: "Set up two-factor authentication" }).waitFor();
    check(`${label}: 2FA turns off with the password and a recovery code`, true);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.waitForURL(/\/login/);
  }
  await page.goto(`${BASE}/shortlists`);
  await page.waitForURL(/\/login/);
  check(`${label}: after logging out, pages ask to log in again`, true);

  check(`${label}: no script errors`, errors.length === 0, errors.join("; "));
  await context.close();
  return opened;
}

/**
 * What a newcomer's walk found on the search page, checked at each size: a sort keeps the
 * result set, nonsense says so, chips and the filter panel agree, removing a bound takes its
 * words along, a shared link does not jump (layout shift), offline says so and retries, and
 * an ended session says why on the login page. Leaves the page on an empty search.
 */
async function searchFindings(page, context, label, phone) {
  // The app writes its URLs with URLSearchParams (spaces as "+"); so do these, or the
  // address would never equal the one the results answer.
  const open = async (q) => {
    await page.goto(`${BASE}/search?${new URLSearchParams({ q })}`);
    await settled(page);
  };
  const total = async () => Number((((await page.locator(".results-head .summary").textContent()) ?? "").replace(/,/g, "").match(/^(\d+)/) ?? [])[1] ?? -1);

  // A sort reorders the same creators: the total stays.
  const totals = [];
  for (const q of ["yoga teachers in Lisbon", "fitness creators in Germany", "vegan food creators"]) {
    await open(q);
    const best = await total();
    await page.getByLabel("Sort by").selectOption("followers_desc");
    await page.waitForURL((u) => new URL(u).searchParams.get("sort") === "followers_desc");
    await settled(page);
    totals.push(`${q}: ${best} → ${await total()}`);
    if (best !== (await total()) || best <= 0) break;
  }
  check(`${label}: a sort keeps the total`, totals.length === 3 && totals.every((t) => { const [a, b] = t.split(": ")[1].split(" → "); return a === b; }), totals.join("; "));

  // Nonsense finds nothing, and says so.
  await open("zzqxj");
  const empty = (await page.locator("[data-testid=no-match] h2").textContent()) ?? "";
  check(`${label}: nonsense says that nothing matched`, (await total()) === 0 && empty.includes("zzqxj"), `${await page.locator(".results-head .summary").textContent()}; ${empty}`);

  // Chips and the panel are one truth: a platform and a size named in the words are ticked
  // in the panel, and unticking one there takes its words out of the query.
  await open("fitness micro creators on Instagram");
  if (phone) await page.getByRole("button", { name: /^Filters/ }).click();
  const instagram = page.locator("fieldset", { hasText: "Platform" }).getByLabel(/^Instagram/);
  const micro = page.locator("fieldset", { hasText: "Size" }).getByLabel(/^Micro/);
  const ticked = (await instagram.isChecked()) && (await micro.isChecked());
  await micro.uncheck();
  await page.waitForURL((u) => !/micro/i.test(new URL(u).searchParams.get("q") ?? "micro"));
  await settled(page);
  const chipsLeft = await page.locator(".chips .chip span").allTextContents();
  const q = await page.getByRole("searchbox").inputValue();
  check(`${label}: chips and the filter panel agree`, ticked && !/micro/i.test(q) && !chipsLeft.some((c) => /micro/i.test(c)) && (await instagram.isChecked()), `ticked: ${ticked}; query now "${q}"; chips ${chipsLeft.join(" | ")}`);
  if (phone) await page.getByRole("button", { name: /^Filters/ }).click();

  // Removing a follower bound's chip takes "followers" along.
  await open("fitness creators under 100k followers in Germany");
  await page.getByRole("button", { name: /Remove ≤ 100K followers/ }).click();
  await page.waitForURL((u) => !/100k/i.test(new URL(u).searchParams.get("q") ?? "100k"));
  const rest = await page.getByRole("searchbox").inputValue();
  check(`${label}: removing a bound's chip takes its words along`, !/followers|100k|under/i.test(rest) && /germany/i.test(rest), `"${rest}"`);

  // A shared search link: nothing jumps as the results and chips arrive.
  const fresh = await context.newPage();
  await watchLayoutShift(fresh);
  await fresh.goto(`${BASE}/search?${new URLSearchParams({ q: "vegan fitness creators in Berlin over 50k followers" })}`);
  await settled(fresh);
  await fresh.waitForTimeout(300);
  const cls = await fresh.evaluate(() => window.__cls);
  const shifts = await fresh.evaluate(() => window.__shifts.join("; "));
  check(`${label}: opening a shared search shifts the layout by less than 0.1`, cls < 0.1, `CLS ${cls.toFixed(3)}: ${shifts}`);
  await fresh.close();

  // Offline: the search says so in plain words, dims the old results and retries.
  await open("travel creators");
  await context.setOffline(true);
  await page.getByRole("searchbox").fill("cooking creators");
  await page.getByRole("button", { name: "Retry" }).waitFor();
  const alert = (await page.locator(".results .alert").textContent()) ?? "";
  const dimmed = await page.locator(".cards.stale").count();
  // Retry while still offline tries again and says so again; back online, the search runs by itself.
  await page.getByRole("button", { name: "Retry" }).click();
  await page.getByRole("button", { name: "Retry" }).waitFor();
  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelector(".results")?.getAttribute("data-query") === "cooking creators" && !document.querySelector(".cards.stale"));
  check(`${label}: offline, the search says so and retries`, /offline|could not be reached/i.test(alert) && !/running/.test(alert) && dimmed === 1, alert);
  await page.goto(`${BASE}/search`);
  await page.getByRole("searchbox").waitFor();
}

/** An ended session (logged out everywhere from another device) says why on the login page. */
async function endedSession(page, label) {
  const token = await page.evaluate(async () => {
    const r = await fetch("/v1/auth/refresh", { method: "POST", headers: { "X-Scout-Client": "web", "Content-Type": "application/json" }, body: "{}", credentials: "same-origin" });
    return (await r.json()).access_token;
  });
  await page.evaluate(async (t) => {
    await fetch("/v1/auth/logout?all=true", { method: "POST", headers: { Authorization: `Bearer ${t}` } });
  }, token);
  // The next page the app opens asks the API, which refuses the ended session.
  await page.getByRole("link", { name: "Search", exact: true }).click();
  await page.waitForURL(/\/login/);
  const said = (await page.locator(".alert").first().textContent()) ?? "";
  check(`${label}: an ended session says why on the login page`, /session has ended/i.test(said), said);
}

/** Signs up a new account of `role` in a fresh context; the page, on the account's first screen. */
async function signUp(browser, role, name) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 }, acceptDownloads: true, bypassCSP: true });
  const page = await context.newPage();
  current = page;
  await page.goto(`${BASE}/signup`);
  await page.getByRole("radio", { name: new RegExp(`^${role}`) }).check();
  await page.getByLabel(role === "Creator" ? "Your name" : "Company name").fill(name);
  await page.getByLabel("Work email").fill(`${role.toLowerCase()}-${Date.now()}@e2e.test`);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(role === "Creator" ? /\/marketplace/ : /\/search/);
  return { context, page };
}

/** A creator finds their imported profile by handle and gets the code that proves it is theirs. */
async function creatorFlow(browser, { handle, platform }) {
  const { context, page } = await signUp(browser, "Creator", "Lucas Creator");
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByRole("heading", { name: "Your creator profiles" }).waitFor();
  await page.getByLabel("Platform").selectOption(platform);
  await page.getByLabel("Your handle").fill(handle);
  await page.getByRole("button", { name: "Claim profile" }).click();
  await page.getByText("Waiting for the code").waitFor();
  const code = await page.locator(".claim code.secret").textContent();
  check("creator: claims a profile by handle and gets a bio code", /^scout-/.test(code ?? ""), `${handle} on ${platform}: ${code}`);
  await page.getByRole("button", { name: "Verify" }).click();
  await page.getByRole("alert").filter({ hasText: "does not show" }).waitFor();
  check("creator: verifying before the code is in the bio says why it failed", true);
  await axe(page, "creator account");
  await shot(page, "creator-desktop");
  const operator = process.env.SCOUT_E2E_OPERATOR_TOKEN;
  if (operator) {
    // The platform's next copy of the profile shows the code in the bio (an operator's
    // import stands in for the platform), and the creator verifies and edits the profile.
    const headers = { authorization: `Bearer ${operator}`, "content-type": "application/json" };
    const bare = handle.replace(/^@/, "");
    const found = await (await fetch(`${BASE}/v1/search?q=${encodeURIComponent(bare)}&platform=${platform}&limit=5`, { headers })).json();
    const stored = found.results.map((r) => r.profile).find((p) => p.handle === bare);
    const { id, ...profile } = stored;
    profile.bio = `${profile.bio ?? ""} ${code}`.trim();
    const put = await fetch(`${BASE}/v1/profiles`, { method: "PUT", headers, body: JSON.stringify(profile) });
    await page.getByRole("button", { name: "Verify" }).click();
    await page.getByText("Verified: the profile is yours").waitFor();
    await page.getByLabel("Display name").fill("Lucas the Creator");
    await page.getByRole("button", { name: "Save profile" }).click();
    await page.getByText("Saved; searchable within a second").waitFor();
    const after = await (await fetch(`${BASE}/v1/profiles/${id}`, { headers })).json();
    check("creator: verifies the claim once the bio shows the code, then edits the profile", put.ok && after.display_name === "Lucas the Creator", `profile ${id}: ${after.display_name}`);
    // The verified creator takes a campaign from brief to a reviewed contract.
    await dealFlow(browser, { context, page });
  }
  await context.close();
}

/** Waits for the bell to show unread notices, without a reload: they arrive live. */
async function bellRings(page, label) {
  await page.getByTestId("unread").waitFor({ timeout: 15_000 });
  check(`${label}: the bell shows the other side's step live`, true, await page.getByTestId("unread").textContent());
}

/**
 * Two browsers, a brand and a creator: the brand writes and lists a campaign, the creator
 * finds it in the marketplace and applies, the brand counters, the creator accepts, both
 * sign, the creator hands in the milestone, the brand approves, both review. Each side
 * sees the other's steps arrive live (the bell, the thread's socket, the contract).
 */
async function dealFlow(browser, creator) {
  const brand = await signUp(browser, "Brand", "Oat & Co");
  const b = brand.page;
  const c = creator.page;
  const name = `Oat milk week ${Date.now() % 100000}`;
  current = b;
  await b.getByRole("link", { name: "Campaigns" }).click();
  await b.getByRole("link", { name: "New campaign" }).click();
  await b.getByLabel("Name").fill(name);
  await b.getByLabel("Brief").fill("Show how oat milk fits a busy morning: one post, honest and warm.");
  await b.getByLabel("Total budget").fill("5000");
  await axe(b, "campaign form");
  await shot(b, "campaign-form-desktop");
  await b.getByRole("button", { name: "Create campaign" }).click();
  await b.getByRole("heading", { level: 1, name }).waitFor();
  await b.getByRole("button", { name: "Publish" }).click();
  await b.locator(".badge", { hasText: "Open" }).waitFor();
  check("brand: creates and publishes a campaign", true, name);
  // "Invite to a campaign" from a profile: the published campaign is offered, with the offer form.
  const campaignUrl = b.url();
  await b.goto(`${BASE}/profiles/1`);
  await b.getByRole("link", { name: "Invite to a campaign" }).click();
  await b.waitForURL(/\/invite\/1$/);
  await b.getByRole("radio", { name: new RegExp(name) }).check();
  await b.getByRole("button", { name: "Send invitation" }).waitFor();
  await axe(b, "invite from a profile");
  check("brand: invites from a profile, choosing among its open campaigns", true, b.url());
  await b.goto(campaignUrl);

  current = c;
  await c.getByRole("link", { name: "Marketplace" }).click();
  await c.getByLabel("Search campaigns").fill(name);
  await c.getByRole("button", { name: "Search" }).click();
  await c.getByRole("link", { name }).click();
  await c.getByRole("heading", { level: 1, name }).waitFor();
  await axe(c, "campaign listing");
  await shot(c, "listing-desktop");
  await c.getByLabel("Your pitch").fill("My mornings are on camera already.");
  await c.getByLabel("Fee each").fill("900");
  await c.getByRole("button", { name: "Send application" }).click();
  await c.waitForURL(/\/threads\/\d+/);
  await c.getByText("live").first().waitFor();
  check("creator: finds the campaign in the marketplace and applies", true, c.url());

  current = b;
  await bellRings(b, "brand");
  await b.getByRole("button", { name: /Notifications/ }).click();
  await b.locator(".bell-list a").first().click();
  await b.waitForURL(/\/threads\/\d+/);
  await b.getByRole("button", { name: "Counter" }).click();
  await b.getByLabel("Fee each").fill("750");
  await b.getByRole("button", { name: "Send counter-offer" }).click();
  await b.getByRole("heading", { name: /Offer v2 by brand/ }).waitFor();
  await b.getByLabel("Message").fill("750 is what we can do this month.");
  await b.getByRole("button", { name: "Send", exact: true }).click();
  await axe(b, "thread");
  await shot(b, "thread-desktop");

  current = c;
  // The counter and the message reach the creator's open thread without a reload.
  await c.getByRole("heading", { name: /Offer v2 by brand/ }).waitFor({ timeout: 15_000 });
  await c.getByText("750 is what we can do this month.").waitFor({ timeout: 15_000 });
  check("creator: the brand's counter-offer and message arrive live", true);
  await c.getByRole("button", { name: "Accept offer" }).click();
  await c.waitForURL(/\/contracts\/\d+/);
  await c.getByRole("button", { name: "Sign the contract" }).click();
  await c.getByText(/Creator: signed by/).waitFor();
  const contractUrl = c.url();

  current = b;
  await b.goto(contractUrl);
  await b.getByRole("button", { name: "Sign the contract" }).click();
  // Signed by both, the contract waits for the brand's money, and says how much.
  await b.locator(".title-row .badge", { hasText: "Awaiting funding" }).waitFor();
  const waiting = await b.locator(".alert", { hasText: "fund it with" }).textContent();
  check("both sign; the contract waits for funding and says how much", /fund it with .*750\.00 EUR more/.test(waiting ?? ""), waiting);
  await b.getByRole("link", { name: "Add money to the wallet" }).click();
  await b.getByRole("heading", { level: 1, name: "Wallet" }).waitFor();
  await b.getByLabel("Amount").fill("1000");
  await b.getByLabel("Card number").fill("4000 0000 0000 0002");
  await b.getByLabel("Expiry (MM/YY)").fill("12/29");
  await b.getByLabel("CVC").fill("123");
  await b.getByRole("button", { name: "Add money" }).click();
  const declined = await b.locator(".alert.error").first().textContent();
  check("brand: a declined card is refused with the bank's reason", /declined/.test(declined ?? ""), declined);
  await b.getByLabel("Card number").fill("4242 4242 4242 4242");
  await b.getByRole("button", { name: "Add money" }).click();
  await b.getByTestId("wallet-EUR").waitFor({ timeout: 20_000 });
  await b.locator("table .badge", { hasText: "Succeeded" }).waitFor({ timeout: 20_000 });
  // 1,000 paid in, 750 of it now in the contract's escrow.
  await b.waitForFunction(() => document.querySelector("[data-testid=wallet-EUR]")?.textContent?.includes("250.00"), null, { timeout: 20_000 });
  await axe(b, "wallet");
  await shot(b, "wallet-desktop");
  check("brand: funds the wallet by card; the escrow takes the contract's total", true, await b.getByTestId("wallet-EUR").textContent());
  await b.goto(contractUrl);
  await b.locator(".title-row .badge", { hasText: "Active" }).waitFor();
  check("the contract starts once the money arrives", true, await b.getByTestId("in-escrow").textContent());
  const [download] = await Promise.all([
    b.waitForEvent("download"),
    b.getByRole("button", { name: "download as PDF" }).click(),
  ]);
  const pdf = await (await import("node:fs/promises")).readFile(await download.path());
  check(
    "brand: the signed contract downloads as a PDF",
    pdf.subarray(0, 5).toString() === "%PDF-" && pdf.includes("For the creator: ") && download.suggestedFilename().endsWith(".pdf"),
    download.suggestedFilename(),
  );

  current = c;
  await c.locator(".title-row .badge", { hasText: "Active" }).waitFor({ timeout: 15_000 });
  // Either side can dispute an unsettled milestone, with a reason (not sent here).
  await c.getByText("Open a dispute").click();
  const disputeButton = c.getByRole("button", { name: "Dispute this milestone" });
  const emptyRefused = await disputeButton.isDisabled();
  await c.getByLabel("What is wrong").fill("The brief changed after signing");
  check("creator: can open a dispute on an unsettled milestone, with a reason", emptyRefused && (await disputeButton.isEnabled()));
  await c.getByLabel("What is wrong").fill("");
  await c.getByText("Open a dispute").click();
  await c.getByLabel(/Links to the content/).fill("https://example.com/oat-morning");
  await c.getByLabel("Note").fill("Posted at 7am");
  await c.getByRole("button", { name: "Submit milestone" }).click();
  await c.locator(".milestone .badge", { hasText: "Submitted" }).waitFor();

  current = b;
  await b.getByRole("button", { name: "Approve" }).waitFor({ timeout: 15_000 });
  check("brand: the submitted milestone arrives live", true);
  await axe(b, "contract");
  await shot(b, "contract-desktop");
  await b.getByRole("button", { name: "Approve" }).click();
  await b.locator(".title-row .badge", { hasText: "Completed" }).waitFor();
  current = c;
  // The creator's share, less Scout's 10%, is theirs (this test server has no hold period).
  await c.goto(`${BASE}/earnings`);
  await c.getByTestId("creator_available-EUR").waitFor({ timeout: 15_000 });
  await c.waitForFunction(() => document.querySelector("[data-testid=creator_available-EUR]")?.textContent?.includes("675.00"), null, { timeout: 15_000 });
  check("creator: the approved milestone's amount less the fee is available", true, await c.getByTestId("creator_available-EUR").textContent());
  // Paid in dollars to a US bank account: converted at the reference rate less the spread.
  await c.getByLabel("Method").selectOption("us_bank");
  await c.getByLabel("Routing number").fill("110000000");
  await c.getByLabel("Account number").fill("000123456789");
  await c.getByLabel("Account holder").fill("Morning Oats");
  await c.getByLabel("Paid in").selectOption("USD");
  await c.getByRole("button", { name: "Save" }).click();
  await c.getByText(/Now: US account ••••6789/).waitFor();
  await c.getByRole("button", { name: "Pay out now" }).click();
  const row = c.getByRole("region", { name: "Payouts", exact: true }).locator("tbody tr", { hasText: "€675.00" });
  await row.locator(".badge", { hasText: "Paid" }).waitFor({ timeout: 20_000 });
  const paidRow = (await row.textContent()) ?? "";
  check(
    "creator: is paid out in dollars at the shown rate, and the bank confirms it",
    /ECB/.test(paidRow) && /spread 0\.50%/.test(paidRow) && /\$\d/.test(paidRow),
    paidRow,
  );
  await axe(c, "earnings");
  await shot(c, "earnings-desktop");
  await c.goto(contractUrl);
  current = b;
  await b.getByLabel("Review").fill("On time and lovely.");
  await b.getByRole("button", { name: "Post review" }).click();
  await b.getByText("On time and lovely.").waitFor();

  current = c;
  await c.getByText("On time and lovely.").waitFor({ timeout: 15_000 });
  await c.getByRole("radio", { name: "4 ★" }).check();
  await c.getByLabel("Review").fill("Clear brief, quick approval.");
  await c.getByRole("button", { name: "Post review" }).click();
  await c.getByText("Clear brief, quick approval.").waitFor();
  check("both review the completed contract and see each other's review", true);

  // The same pages at a phone's width.
  for (const [page, path, label] of [
    [c, "/marketplace", "marketplace"],
    [c, contractUrl.replace(BASE, ""), "contract"],
    [b, "/campaigns", "campaigns"],
    [b, "/deals", "deals"],
  ]) {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.goto(`${BASE}${path}`);
    await page.locator("main h1").waitFor();
    await page.waitForFunction(() => !document.querySelector("main [role=status]")?.textContent?.includes("Loading"));
    await page.waitForTimeout(300);
    await fits(page, label);
    await shot(page, `${label}-phone`);
    await page.setViewportSize({ width: 1280, height: 860 });
  }
  await c.goto(`${BASE}/marketplace`);
  await c.locator(".listing").first().waitFor();
  await shot(c, "marketplace-desktop");
  await b.goto(`${BASE}/campaigns`);
  await shot(b, "campaigns-desktop");
  await brand.context.close();
}

/** An agency adds a client brand and switches to it; searches and shortlists then act for that client. */
async function agencyFlow(browser) {
  const { context, page } = await signUp(browser, "Agency", "Northwind Agency");
  await page.getByRole("link", { name: "Account" }).click();
  await page.getByLabel("New client brand").fill("Contoso Foods");
  await page.getByRole("button", { name: "Add client" }).click();
  await page.locator(".clients li", { hasText: "Contoso Foods" }).waitFor();
  const switcher = page.getByLabel("Working for");
  await switcher.waitFor();
  await switcher.selectOption({ label: "Client: Contoso Foods" });
  await page.getByRole("link", { name: "Shortlists" }).click();
  await page.getByLabel("New shortlist").fill("Contoso spring");
  await page.getByRole("button", { name: "Create" }).click();
  await page.getByRole("heading", { level: 1, name: "Contoso spring" }).waitFor();
  await switcher.selectOption({ label: "Northwind Agency" });
  await page.getByRole("link", { name: "Shortlists" }).click();
  await page.getByRole("heading", { level: 1, name: "Shortlists" }).waitFor();
  await page.waitForTimeout(300);
  const own = await page.locator(".list-grid h2").allTextContents();
  await switcher.selectOption({ label: "Client: Contoso Foods" });
  await page.getByRole("link", { name: "Contoso spring" }).waitFor();
  check("agency: a client's shortlists belong to the client, not the agency", !own.includes("Contoso spring"), `agency's own: [${own.join(", ")}]`);
  await endedSession(page, "agency");
  await context.close();
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const opened = await flow(browser, { label: "desktop", viewport: { width: 1280, height: 860 }, phone: false });
  await flow(browser, { label: "phone", viewport: { width: 360, height: 740 }, phone: true });
  await creatorFlow(browser, opened);
  await agencyFlow(browser);
  console.log(`e2e: ${passed} checks passed`);
} catch (e) {
  console.error(`e2e: FAILED after ${passed} checks: ${e.message}`);
  if (current) {
    const file = join(SHOTS ?? process.env.TMPDIR ?? "/tmp", "e2e-failure.png");
    await current.screenshot({ path: file, fullPage: true }).catch(() => {});
    console.error(`at ${current.url()}; screenshot: ${file}`);
    console.error((await current.locator("main").innerText().catch(() => "")).slice(0, 2000));
  }
  process.exitCode = 1;
} finally {
  await browser.close();
}
