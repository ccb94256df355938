import { expect, test } from "@playwright/test";
import { hydrated, shot, signIn } from "./helpers";

// The console under its Content-Security-Policy: every page still hydrates and works, no script
// is refused, the console cannot be framed, and GET /logout only asks.
test("the console works under its security headers, and signing out takes a POST", async ({ page }) => {
  const violations: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply|compile)/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });

  const login = await page.goto("/login");
  const h = login!.headers();
  expect(h["content-security-policy"]).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'/);
  expect(h["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(h["content-security-policy"]).not.toContain("unsafe-inline");
  expect(h["x-frame-options"]).toBe("DENY");
  expect(h["x-content-type-options"]).toBe("nosniff");
  expect(h["referrer-policy"]).toBe("strict-origin-when-cross-origin");
  expect(h["cache-control"]).toBe("no-store");
  await hydrated(page);

  await signIn(page);
  for (const [link, heading] of [["Users", "Users"], ["Identity Providers", "Identity Providers"], ["Security Topics", "Security Topics"]]) {
    await page.getByRole("navigation", { name: "Main" }).last().getByRole("link", { name: link }).click();
    await expect(page.getByRole("heading", { name: heading, exact: true })).toBeVisible();
  }
  // A full load of a page with streamed data, then a server function call from the browser.
  await page.goto("/users");
  await hydrated(page);
  await page.getByLabel("Search users").fill("admin");
  await page.getByLabel("Search users").press("Enter");
  await expect(page.getByRole("table")).toContainText("admin");

  // Another site cannot frame the console.
  const framed = await page.evaluate(async () => {
    const f = document.createElement("iframe");
    f.src = "/users";
    document.body.appendChild(f);
    await new Promise((r) => setTimeout(r, 1000));
    try { return f.contentDocument?.querySelector("#app") ? "rendered" : "blocked"; } catch { return "blocked"; }
  });
  expect(framed).toBe("blocked");
  violations.length = 0; // the refused frame is reported as a violation on purpose

  // GET /logout asks; only the button (a POST) signs out.
  await page.goto("/logout");
  await expect(page.getByRole("heading", { name: "Sign out of the Cantara Administration Console?" })).toBeVisible();
  await shot(page, "logout-confirm-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "logout-confirm-390");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/");
  await hydrated(page);
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/logout");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  expect(violations).toEqual([]);
});
