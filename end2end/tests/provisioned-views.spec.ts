import { expect, test } from "@playwright/test";
import { hydrated, shot, signIn } from "./helpers";

test("provisioned users and groups appear with Account Source SCIM; deactivation shows", async ({ page, request }) => {
  await signIn(page);
  await page.goto("/tenants");
  await hydrated(page);
  await page.getByLabel("Description").fill("views test");
  await page.getByRole("button", { name: "Generate new token" }).click();
  const token = (await page.getByTestId("token-secret").textContent())!.trim();
  const tenantCard = page.locator('[data-tenant-name="Default"]');
  const scim = (await tenantCard.getByTestId("scim-url").textContent())!.trim();
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };

  // What Entra sends: users, a group without members, then a member PATCH.
  const ids: string[] = [];
  for (const [upn, name] of [["ada@contoso.com", "Ada Lovelace"], ["alan@contoso.com", "Alan Turing"]]) {
    const r = await request.post(`${scim}/Users`, {
      headers,
      data: {
        schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: upn, active: true, displayName: name,
        emails: [{ type: "work", value: upn, primary: true }], phoneNumbers: [{ type: "mobile", value: "+44 20 7946 0000" }],
        name: { givenName: name.split(" ")[0], familyName: name.split(" ")[1], formatted: name }, externalId: upn.split("@")[0],
      },
    });
    expect(r.status()).toBe(201);
    ids.push((await r.json()).id);
  }
  const g = await request.post(`${scim}/Groups`, { headers, data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Cantara Admins" } });
  expect(g.status()).toBe(201);
  const gid = (await g.json()).id;
  const p = await request.patch(`${scim}/Groups/${gid}`, {
    headers,
    data: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Add", path: "members", value: ids.map((value) => ({ value })) }] },
  });
  expect(p.status()).toBe(204);

  // Users: SCIM accounts with their attributes and the SCIM badge.
  const nav = page.getByRole("navigation", { name: "Main" }).last();
  await nav.getByRole("link", { name: "Users" }).click();
  const ada = page.locator('[data-username="ada@contoso.com"]');
  await expect(ada).toContainText("Ada Lovelace");
  await expect(ada).toContainText("SCIM");
  await expect(ada).toContainText("Active");
  await expect(page.locator('[data-username="admin"]')).toContainText("Local");
  await expect(page.getByTestId("page-range")).toHaveText("1–3 of 3 · page 1 of 1");
  await page.getByLabel("Account Source").selectOption("scim");
  await expect(page.getByTestId("user-row")).toHaveCount(2);
  await shot(page, "users-scim");

  // Security Groups: the group with its members (guide: Verify Group in Cantara).
  await nav.getByRole("link", { name: "Security Groups" }).click();
  const row = page.locator('[data-group-name="Cantara Admins"]');
  await expect(row.getByTestId("member-count")).toHaveText("2");
  await expect(row).toContainText("SCIM");
  await shot(page, "security-groups-list");
  await row.getByRole("link", { name: "Cantara Admins" }).click();
  await expect(page.getByRole("note")).toHaveText("Managed by SCIM — change it in your identity provider.");
  await expect(page.getByTestId("group-members")).toContainText("ada@contoso.com");
  await expect(page.getByTestId("group-members")).toContainText("alan@contoso.com");
  await shot(page, "security-group-detail");

  // Deactivation in Entra arrives as active=false and shows on reload.
  const d = await request.patch(`${scim}/Users/${ids[1]}`, {
    headers,
    data: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "active", value: "False" }] },
  });
  expect(d.status()).toBe(200);
  await page.goto("/users");
  await hydrated(page);
  await expect(page.locator('[data-username="alan@contoso.com"]')).toContainText("Deactivated");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "users-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  // Provisioning activity: what Entra sent and what failed, without reading server logs.
  const dup = await request.post(`${scim}/Users`, { headers, data: { userName: "ADA@contoso.com" } });
  expect(dup.status()).toBe(409);
  await page.waitForTimeout(400); // the activity log is written in batches every 100 ms
  await page.goto("/provisioning");
  await hydrated(page);
  const summary = page.getByTestId("provisioning-summary");
  await expect(summary).toContainText("Provisioned users2");
  await expect(summary).toContainText("Provisioned groups1");
  await expect(page.getByTestId("activity-row").first()).toContainText("POST /Users");
  await page.getByLabel("Failures only").check();
  await expect(page.getByTestId("activity-row")).toHaveCount(1);
  await expect(page.getByTestId("activity-row")).toContainText("409 Conflict");
  await expect(page.getByTestId("activity-row")).toContainText("already exists");
  expect(await page.content()).not.toContain(token);
  await shot(page, "provisioning-activity");

  // Removed in Entra: DELETE deactivates and hides from SCIM; the console says so, with the time.
  const grace = await request.post(`${scim}/Users`, {
    headers,
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "grace@contoso.com", active: true, displayName: "Grace Hopper" },
  });
  expect(grace.status()).toBe(201);
  const graceId = (await grace.json()).id;
  expect((await request.delete(`${scim}/Users/${graceId}`, { headers })).status()).toBe(204);
  expect((await request.get(`${scim}/Users/${graceId}`, { headers })).status()).toBe(404);
  await page.goto("/users");
  await hydrated(page);
  const graceRow = page.locator('[data-username="grace@contoso.com"]');
  await expect(graceRow).toContainText("Deleted in the identity provider");
  await shot(page, "users-deleted");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "users-deleted-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
  await graceRow.getByRole("link", { name: "grace@contoso.com" }).click();
  await expect(page.getByTestId("deleted-in-idp")).toContainText("Deleted in the identity provider on ");
  await shot(page, "user-deleted");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "user-deleted-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
});
