import { expect, test } from "@playwright/test";
import { hydrated, signIn, issuer } from "./helpers";
test("debug", async ({ page }) => {
  let errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  await signIn(page);
  for (const p of ["/", "/users", "/identity-providers", "/identity-providers/new", "/security-groups", "/security-topics", "/security-topics/new", "/security-topics/builtin-directory-viewer", "/tenants", "/provisioning", "/users/new"]) {
    errors = [];
    await page.goto(p);
    await page.waitForTimeout(1200);
    console.log(p, errors.length ? errors.join(" | ") : "ok");
  }
});
