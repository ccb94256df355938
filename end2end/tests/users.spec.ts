import { expect, test } from "@playwright/test";
import { hydrated, shot, signIn } from "./helpers";

test("a SCIM user's page is read-only and the server refuses console edits of it", async ({ page, request }) => {
  await signIn(page);
  await page.goto("/tenants");
  await hydrated(page);
  await page.getByLabel("Description").fill("users test");
  await page.getByRole("button", { name: "Generate new token" }).click();
  const token = (await page.getByTestId("token-secret").textContent())!.trim();
  const scim = (await page.locator('[data-tenant-name="Default"]').getByTestId("scim-url").textContent())!.trim();
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };
  const r = await request.post(`${scim}/Users`, {
    headers,
    data: {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
      userName: "grace@contoso.com", active: true, displayName: "Grace Hopper", externalId: "grace", title: "Rear Admiral",
      emails: [{ type: "work", value: "grace@contoso.com", primary: true }], phoneNumbers: [{ type: "mobile", value: "+1 202 555 0100" }],
      name: { givenName: "Grace", familyName: "Hopper", formatted: "Grace Hopper" },
      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { department: "Navy" },
    },
  });
  expect(r.status()).toBe(201);
  const id = (await r.json()).id;
  const g = await request.post(`${scim}/Groups`, {
    headers,
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "COBOL Committee", members: [{ value: id }] },
  });
  expect(g.status()).toBe(201);

  await page.goto("/users");
  await hydrated(page);
  // The newest change first: Grace was provisioned last.
  await page.getByLabel("Sort by").selectOption("last_change");
  await expect(page.getByTestId("user-row").first()).toHaveAttribute("data-username", "grace@contoso.com");
  await page.getByRole("link", { name: "grace@contoso.com" }).click();
  await expect(page).toHaveURL(new RegExp(`/users/${id}$`));
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Grace Hopper" })).toBeVisible();
  await expect(page.getByTestId("scim-read-only")).toContainText("Managed by SCIM — change it in your identity provider");
  const attributes = page.getByTestId("user-attributes");
  await expect(attributes.locator("dt").first()).toHaveText("userName");
  await expect(attributes).toContainText('emails[type eq "work"].value');
  await expect(attributes).toContainText("Rear Admiral");
  await expect(attributes).toContainText("Navy");
  await expect(page.getByTestId("user-groups")).toContainText("COBOL Committee");
  // The requests that made and changed this user, as the Provisioning log shows them.
  const history = page.getByRole("region", { name: "Provisioning history" });
  await expect(history).toContainText("POST /Users");
  await expect(history).toContainText("201 Created");
  // No way to edit it in the page…
  await expect(page.getByRole("button", { name: "Save user" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
  await shot(page, "user-scim");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "user-scim-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  // …and the server refuses one made by hand from the signed-in console.
  const refused = await page.evaluate(async (userId) => {
    const res = await fetch("/api/update_user", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ id: userId, form: { username: "mallory", display_name: "Mallory", password: "", is_admin: true } }),
    });
    return { status: res.status, body: await res.text() };
  }, id);
  expect(refused.status).toBe(422);
  expect(refused.body).toContain("Managed by SCIM");
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Grace Hopper" })).toBeVisible();
});

test("local users: create with a password, edit, deactivate after confirmation, delete", async ({ page, browser }) => {
  await signIn(page);
  await page.goto("/users");
  await hydrated(page);
  await page.getByRole("link", { name: "+ Add local user" }).click();
  await hydrated(page);
  await page.getByLabel("Username").fill("dora");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByText("Use at least 12 characters.")).toBeVisible();
  await page.getByLabel("Display name").fill("Dora Local");
  await page.getByLabel("Password").fill("dora-password-1");
  await shot(page, "user-new");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("heading", { name: "Dora Local" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId("user-badges")).toContainText("Local");

  await page.getByLabel("Display name").fill("Dora Explorer");
  await page.getByRole("button", { name: "Save user" }).click();
  await expect(page.getByTestId("toast")).toContainText("saved.");
  await shot(page, "user-local");

  // Dora can sign in in another browser until she is deactivated.
  const other = await browser.newContext();
  const dora = await other.newPage();
  await dora.goto("/login");
  await hydrated(dora);
  await dora.getByLabel("Username").fill("dora");
  await dora.getByLabel("Password").fill("dora-password-1");
  await dora.getByRole("button", { name: "Sign in" }).click();
  await expect(dora).toHaveURL(/\/$/);

  await page.getByRole("button", { name: "Deactivate" }).click();
  const confirm = page.getByRole("dialog");
  await expect(confirm).toContainText("cannot sign in until reactivated");
  await shot(page, "user-deactivate-confirm");
  await confirm.getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByTestId("toast")).toContainText("deactivated.");
  await expect(page.getByTestId("user-badges")).toContainText("Deactivated");
  await dora.reload();
  await expect(dora).toHaveURL(/\/login$/);
  await other.close();

  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page).toHaveURL(/\/users$/);
  await hydrated(page);
  await expect(page.locator('[data-username="dora"]')).toHaveCount(0);
});

test("local groups: create, add and remove members; SCIM groups offer no edits", async ({ page }) => {
  await signIn(page);
  await page.goto("/security-groups");
  await hydrated(page);
  await page.getByRole("button", { name: "+ Add local group" }).click();
  await page.getByLabel("Group name").fill("Auditors");
  await shot(page, "group-new");
  await page.getByRole("dialog").getByRole("button", { name: "Create group" }).click();
  await expect(page.getByRole("heading", { name: "Auditors" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Username to add").fill("nobody");
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByTestId("toast")).toContainText("There is no user with this username in this tenant.");
  await page.getByLabel("Username to add").fill("admin");
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByTestId("toast")).toContainText("Member added.");
  await expect(page.getByTestId("group-members").getByRole("link", { name: "admin" })).toBeVisible();
  await shot(page, "group-local");
  await page.getByTestId("group-members").getByRole("button", { name: "Remove" }).click();
  await expect(page.getByTestId("toast")).toContainText("Member removed.");
  await expect(page.getByTestId("group-members")).toHaveText("No members yet.");
  await page.getByRole("button", { name: "Delete group" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
  await expect(page).toHaveURL(/\/security-groups$/);

  // The SCIM group made by the first test of this file: read-only.
  await hydrated(page);
  await page.getByRole("link", { name: "COBOL Committee" }).click();
  await expect(page.getByRole("note")).toHaveText("Managed by SCIM — change it in your identity provider.");
  await expect(page.getByRole("button", { name: "Add member" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete group" })).toHaveCount(0);
  await page.getByTestId("group-members").getByRole("link", { name: "grace@contoso.com" }).click();
  await expect(page.getByRole("heading", { name: "Grace Hopper" })).toBeVisible();
});
