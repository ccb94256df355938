import { expect, Page, test } from "@playwright/test";
import { atProvider, hydrated, issuer, shot, signIn } from "./helpers";

const NAME = "Permissions directory";
const DISPLAY = "Contoso Entra";

async function both(page: Page, name: string) {
  await shot(page, name);
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, `${name}-phone`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("Security Topics decide: a person Entra provisions into a Directory Viewer group signs in with SSO, sees Users only, and has no access once Entra removes them", async ({ page, browser, request }) => {
  test.setTimeout(90_000);
  await signIn(page);

  // Entra provisions Dana and the Finance Team group with her in it.
  await page.goto("/tenants");
  await hydrated(page);
  await page.getByLabel("Description").fill("permissions test");
  await page.getByRole("button", { name: "Generate new token" }).click();
  const token = (await page.getByTestId("token-secret").textContent())!.trim();
  const scim = (await page.locator('[data-tenant-name="Default"]').getByTestId("scim-url").textContent())!.trim();
  const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };
  const dana = await request.post(`${scim}/Users`, {
    headers,
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "dana@contoso.example", active: true, displayName: "Dana Viewer" },
  });
  expect(dana.status()).toBe(201);
  const danaId = (await dana.json()).id;
  const group = await request.post(`${scim}/Groups`, {
    headers,
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Finance Team", members: [{ value: danaId }] },
  });
  expect(group.status()).toBe(201);
  const groupId = (await group.json()).id;

  // The identity provider, active.
  await page.goto("/identity-providers/new");
  await hydrated(page);
  await page.getByLabel("Identity Provider Type").selectOption({ label: "OAuth2" });
  await page.getByLabel("Name", { exact: true }).fill(NAME);
  await page.getByPlaceholder("Issuer or discovery URL").fill(issuer());
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByText("Filled the endpoints from the provider's discovery document.")).toBeVisible();
  await page.getByLabel("Client ID").fill("console-client");
  await page.getByLabel("Client Secret", { exact: true }).fill("console-client-secret-for-tests");
  await page.getByLabel("Provider Display Name").fill(DISPLAY);
  await page.getByRole("button", { name: "Save Identity Provider" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();
  await page.getByRole("button", { name: "Activate" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Yes" }).click();
  await expect(page.locator(`[data-idp-name="${NAME}"]`)).toContainText("Active");

  // Security Topics: the built-in ones, then Directory Viewer assigned to Finance Team.
  await page.getByRole("navigation", { name: "Main" }).last().getByRole("link", { name: "Security Topics" }).click();
  await expect(page).toHaveURL(/\/security-topics$/);
  await hydrated(page);
  for (const name of ["Identity Provider Administration", "Provisioning Administration", "User Administration", "Directory Viewer", "Security Topic Administration", "Audit Viewer"]) {
    await expect(page.locator(`[data-topic-name="${name}"]`)).toBeVisible();
  }
  await page.getByRole("link", { name: "Directory Viewer" }).click();
  await hydrated(page);
  await page.getByRole("button", { name: "+ Assign group" }).click();
  await page.getByLabel("Group name").fill("Finance Team");
  await shot(page, "topic-assign-dialog");
  await page.getByRole("dialog").getByRole("button", { name: "Assign" }).click();
  await expect(page.getByTestId("toast")).toContainText("Group assigned.");
  await expect(page.getByTestId("topic-group-list")).toContainText("Finance Team");
  await both(page, "topic-directory-viewer");
  await page.goto("/security-topics");
  await hydrated(page);
  await expect(page.locator('[data-topic-name="Directory Viewer"]').getByTestId("topic-groups")).toContainText("Finance Team");
  await expect(page.getByTestId("security-audit")).toContainText("Directory Viewer → Finance Team");
  await both(page, "security-topics");
  await page.goto(`/security-groups/${groupId}`);
  await hydrated(page);
  await expect(page.getByTestId("group-topics")).toContainText("Directory Viewer");
  await both(page, "group-with-topics");

  // Dana signs in with single sign-on through the real provider.
  const context = await browser.newContext();
  const d = await context.newPage();
  await d.goto("/login");
  await hydrated(d);
  await d.getByRole("link", { name: `Sign in with ${DISPLAY}` }).click();
  await atProvider(d, "dana");
  await expect(d).toHaveURL(/\/$/);
  await hydrated(d);
  await expect(d.getByTestId("signed-in-user")).toContainText("Dana Viewer");
  const nav = d.locator("aside").getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Users" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Security Groups" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Identity Providers" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Tenants" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Security Topics" })).toHaveCount(0);
  await nav.getByRole("link", { name: "Users" }).click();
  await expect(d.getByTestId("user-row").first()).toBeVisible();
  await expect(d.getByRole("link", { name: "+ Add local user" })).toHaveCount(0);
  await both(d, "viewer-users");
  // A direct visit to a page she may not use: the permission page, no data.
  await d.goto("/identity-providers");
  await hydrated(d);
  await expect(d.getByTestId("permission-denied")).toContainText("You don't have permission to manage identity providers.");
  await expect(d.getByText(NAME)).toHaveCount(0);
  await both(d, "permission-denied");

  // Her page says where her permission comes from.
  await page.goto(`/users/${danaId}`);
  await hydrated(page);
  await expect(page.getByTestId("user-permissions")).toContainText("See users, groups and their members");
  await expect(page.getByTestId("user-permissions")).toContainText("via Finance Team (Directory Viewer)");
  await both(page, "user-effective-permissions");

  // Entra removes her from the group: at her next page load she has no access yet.
  const removed = await request.patch(`${scim}/Groups/${groupId}`, {
    headers,
    data: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Remove", path: `members[value eq "${danaId}"]` }] },
  });
  expect(removed.ok()).toBeTruthy();
  await d.goto("/users");
  await hydrated(d);
  await expect(d.getByTestId("no-access-yet")).toContainText("You have no access yet");
  await expect(d.getByTestId("no-access-yet")).toContainText("An administrator must assign a Security Topic to one of your groups");
  await expect(d.getByTestId("user-row")).toHaveCount(0);
  await expect(d.locator("aside").getByRole("link")).toHaveCount(0);
  await both(d, "no-access-yet");
  await context.close();

  // Switch single sign-on off again for the other journeys.
  await page.goto("/identity-providers");
  await hydrated(page);
  await page.locator(`[data-idp-name="${NAME}"]`).getByRole("button", { name: "Deactivate" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Deactivate" }).click();
  await expect(page.locator(`[data-idp-name="${NAME}"]`)).toContainText("Inactive");
});

test("a local account that is not an Administrator cannot make itself one", async ({ page, browser }) => {
  await signIn(page);
  // Erin, a helpdesk person: User Administration and Directory Viewer through a local group.
  await page.goto("/users/new");
  await hydrated(page);
  await page.getByLabel("Username").fill("erin");
  await page.getByLabel("Display name").fill("Erin Helpdesk");
  await page.getByLabel("Password").fill("erin-password-12");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("heading", { name: "Erin Helpdesk" })).toBeVisible();
  const erinId = page.url().split("/").pop()!;
  await page.goto("/security-groups");
  await hydrated(page);
  await page.getByRole("button", { name: "+ Add local group" }).click();
  await page.getByLabel("Group name").fill("Helpdesk");
  await page.getByRole("dialog").getByRole("button", { name: "Create group" }).click();
  await expect(page.getByRole("heading", { name: "Helpdesk" })).toBeVisible();
  await hydrated(page);
  for (const topic of ["User Administration", "Directory Viewer"]) {
    await page.getByLabel("Security Topic to assign").selectOption({ label: topic });
    await page.getByRole("button", { name: "Assign topic" }).click();
    // The topic is listed as held (not only offered in the chooser) before the next one is chosen.
    await expect(page.getByTestId("group-topics").getByRole("listitem").filter({ hasText: topic })).toBeVisible();
  }
  await page.getByLabel("Username to add").fill("erin");
  await page.getByRole("button", { name: "Add member" }).click();
  await expect(page.getByTestId("toast")).toContainText("Member added.");

  const context = await browser.newContext();
  const erin = await context.newPage();
  await erin.goto("/login");
  await hydrated(erin);
  await erin.getByLabel("Username").fill("erin");
  await erin.getByLabel("Password").fill("erin-password-12");
  await erin.getByRole("button", { name: "Sign in" }).click();
  await expect(erin).toHaveURL(/\/$/);
  await erin.goto(`/users/${erinId}`);
  await hydrated(erin);
  await expect(erin.getByRole("button", { name: "Save user" })).toBeVisible();
  await expect(erin.getByLabel("Administrator")).toHaveCount(0);
  await both(erin, "helpdesk-own-page");
  // Sent by hand anyway, the server refuses it.
  const refused = await erin.evaluate(async (id) => {
    const res = await fetch("/api/update_user", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ id, form: { username: "erin", display_name: "Erin Helpdesk", password: "", is_admin: true } }),
    });
    return { status: res.status, body: await res.text() };
  }, erinId);
  expect([403, 422]).toContain(refused.status);
  expect(refused.body).toContain("Administrator");
  const created = await erin.evaluate(async () => {
    const res = await fetch("/api/create_user", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ form: { username: "erin2", display_name: "", password: "another-password-1", is_admin: true } }),
    });
    return res.status;
  });
  expect(created).toBe(403);
  await erin.reload();
  await hydrated(erin);
  await expect(erin.getByTestId("user-badges")).not.toContainText("Administrator");
  await expect(erin.getByTestId("break-glass")).toHaveCount(0);
  await context.close();

  // The administrator's own page says what the break-glass account is.
  await page.goto("/users");
  await hydrated(page);
  await page.getByRole("link", { name: "admin", exact: true }).click();
  await hydrated(page);
  await expect(page.getByTestId("break-glass")).toContainText("operator");
  await both(page, "admin-break-glass");
});
