import { expect, test } from "@playwright/test";
import { hydrated, shot, signIn } from "./helpers";

test("a provisioning token is shown once, works for SCIM, and can be revoked", async ({ page, request }) => {
  await signIn(page);
  await page.goto("/tenants");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Provisioning tokens for Default" })).toBeVisible();

  await page.getByLabel("Description").fill("Entra production");
  await page.getByLabel("Expires after (days)").fill("90");
  await page.getByRole("button", { name: "Generate new token" }).click();
  const secret = (await page.getByTestId("token-secret").textContent())!.trim();
  expect(secret).toMatch(/^cantara_scim_[A-Za-z0-9_-]{43}$/);
  await expect(page.getByText("Copy this token now. It will not be shown again.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Copy provisioning token" })).toBeEnabled();
  const row = page.getByTestId("token-row").filter({ hasText: "Entra production" });
  await expect(row).toContainText("Active");
  await expect(row).toContainText("Never"); // not used yet
  await shot(page, "tenants-token");

  // The token opens the tenant's SCIM endpoint, exactly as Entra's Test Connection calls it.
  const scimUrl = (await page.locator('[data-tenant-name="Default"]').getByTestId("scim-url").textContent())!.trim();
  const probe = await request.get(`${scimUrl}/Users?filter=userName+eq+%22a7c0e0a2-5f0e-4c57-9d52-2b2c1f0f3e11%22`, {
    headers: { Authorization: `Bearer ${secret}` },
  });
  expect(probe.status()).toBe(200);
  expect(probe.headers()["content-type"]).toBe("application/scim+json");
  expect((await probe.json()).totalResults).toBe(0);

  // Once dismissed, the secret is gone from the page, and a reload does not bring it back.
  await page.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("new-token")).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  expect(await page.content()).not.toContain(secret);

  // Revoke, after a confirmation; Entra is refused at once.
  const again = page.getByTestId("token-row").filter({ hasText: "Entra production" });
  await again.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
  await expect(again).toContainText("Revoked");
  const refused = await request.get(`${scimUrl}/Users`, { headers: { Authorization: `Bearer ${secret}` } });
  expect(refused.status()).toBe(401);
  await shot(page, "tenants-token-revoked");

  // What a failing Test Connection leaves: the Provisioning page says why, in words.
  const refusedProbe = await request.get(`${scimUrl}/Users?filter=${encodeURIComponent('userName eq "AzureAD_probe"')}`, {
    headers: { Authorization: `Bearer ${secret}` },
  });
  expect(refusedProbe.status()).toBe(401);
  await page.waitForTimeout(400); // the activity log is written in batches
  await page.goto("/provisioning");
  await hydrated(page);
  await expect(page).toHaveTitle("Provisioning · Cantara");
  const banner = page.getByTestId("refused-banner");
  await expect(banner).toContainText("Entra's Test Connection was refused: the token was revoked on ");
  await expect(banner).toContainText("“Entra production”");
  const refusedRow = page.locator('[data-testid="activity-row"][data-status="401"]').first();
  await expect(refusedRow).toContainText("401 Unauthorized");
  await expect(refusedRow.getByTestId("filter-words")).toHaveText("where userName is “AzureAD_probe”");
  // Times to the second, in the browser's zone (the UTC time in the title).
  await expect(refusedRow.locator("time")).toHaveText(/^\d{2}:\d{2}:\d{2}$/);
  expect(await page.content()).not.toContain(secret);
  await shot(page, "provisioning-refused");
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, "provisioning-refused-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
});
