import { expect, test } from "@playwright/test";
import { hydrated, signIn, issuer } from "./helpers";
test("debug", async ({ page }) => {
  await signIn(page);
  for (const p of ["/tenants", "/identity-providers/new"]) {
    const r = await page.request.get(p);
    const html = await r.text();
    console.log(p, "create-tenant:", html.includes("Create a tenant"), "denied:", html.includes("permission-denied"), "editor:", html.includes("Save Identity Provider"), "noaccess:", html.includes("no-access-yet"));
    const i = html.indexOf("<main");
    console.log(html.slice(i, i + 1500));
  }
});
