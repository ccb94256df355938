import { expect, test } from "@playwright/test";
import { atProvider, createTenantAndSwitch, hydrated, issuer, shot, signIn } from "./helpers";

// The Connect Microsoft Entra ID assistant, from an empty tenant to "Done" for all three steps:
// the real OpenID provider of end2end/oidc for Step 2, and Entra's side of Step 3 driven with
// real HTTP calls (the Test Connection probe, then a provisioning cycle the way Entra sends it).

const TENANT = "Fabrikam";
const NAME = "Fabrikam Entra";

test("Connect Microsoft Entra ID: an empty tenant to Done, with the attribute and identity binding checks", async ({ page, request }) => {
  test.setTimeout(120_000);
  await signIn(page);

  // A new tenant, entered through the switcher.
  await createTenantAndSwitch(page, TENANT);

  // The home page calls to the assistant while it is incomplete; the navigation has it.
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByTestId("connect-cta")).toContainText("0 of 3 steps done");
  await page.getByRole("navigation", { name: "Main" }).last().getByRole("link", { name: "Connect Microsoft Entra ID" }).click();
  await expect(page).toHaveURL(/\/connect-entra$/);
  await hydrated(page);
  await expect(page).toHaveTitle("Connect Microsoft Entra ID · Cantara");
  for (const step of ["step-1", "step-2", "step-3"]) {
    await expect(page.getByTestId(step)).toHaveAttribute("data-status", "Not started");
  }
  const base = new URL(page.url()).origin;
  await expect(page.getByTestId("redirect-uri")).toHaveText(`${base}/oauth`);
  // Keyboard only: the copy button is reached and used without a mouse.
  const copy = page.getByRole("button", { name: "Copy Redirect URI" });
  await copy.focus();
  await page.keyboard.press("Enter");
  await expect(copy).toHaveText("Copied");
  await shot(page, "connect-empty");

  // Step 1: the client secret's expiry as chosen in Entra.
  await page.getByLabel("Client secret expires").fill("2099-06-30");
  await page.getByRole("button", { name: "Save date" }).click();
  await expect(page.getByTestId("toast")).toContainText("Client secret expiry saved.");

  // Step 2: into the wizard, save the provider; back here, it is saved but not yet tested.
  await page.getByRole("link", { name: "+ Add Identity Provider" }).click();
  await expect(page).toHaveURL(/\/identity-providers\/new/);
  await hydrated(page);
  await page.getByLabel("Identity Provider Type").selectOption({ label: "OAuth2" });
  await page.getByLabel("Name", { exact: true }).fill(NAME);
  await page.getByPlaceholder("Issuer or discovery URL").fill(issuer());
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByText("Filled the endpoints from the provider's discovery document.")).toBeVisible();
  await page.getByLabel("Client ID").fill("console-client");
  await page.getByLabel("Client Secret", { exact: true }).fill("console-client-secret-for-tests");
  await page.getByLabel("Provider Display Name").fill("Fabrikam Entra");
  await page.getByRole("button", { name: "Save Identity Provider" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();
  await expect(page).toHaveURL(/\/identity-providers\/[0-9a-f-]{36}$/);
  const idpUrl = page.url();
  await page.goto("/connect-entra");
  await hydrated(page);
  await expect(page.getByTestId("step-1")).toHaveAttribute("data-status", "Done");
  await expect(page.getByTestId("step-2")).toHaveAttribute("data-status", "Waiting");
  await expect(page.getByTestId("step-2-next")).toContainText("Run Test sign-in");

  // The test sign-in started here comes back here, succeeded.
  await page.getByTestId("step-2").getByRole("link", { name: "Test sign-in" }).click();
  await atProvider(page, "alice");
  await expect(page).toHaveURL(/\/connect-entra\?tested=1$/);
  await hydrated(page);
  await expect(page.getByTestId("step-2-progress").locator('[data-done="true"]')).toContainText(["Saved", "Test sign-in succeeded"]);
  await expect(page.getByTestId("step-2-next")).toContainText("Activate the identity provider");
  await expect(page.getByTestId("binding-check")).toContainText("Not checked yet");

  // Activate (the wizard's dialog), and Step 2 is done.
  await page.goto(idpUrl);
  await hydrated(page);
  await page.getByRole("button", { name: "Activate" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Yes" }).click();
  await expect(page).toHaveURL(/\/identity-providers$/);
  await page.goto("/connect-entra");
  await hydrated(page);
  await expect(page.getByTestId("step-2")).toHaveAttribute("data-status", "Done");

  // Step 3: the Tenant URL and a token generated right here, shown once.
  const scim = (await page.getByTestId("connect-scim-url").textContent())!.trim();
  expect(scim).toMatch(new RegExp(`^${base}/scim/v2/[0-9a-f-]{36}$`));
  await page.getByRole("button", { name: "Generate token" }).click();
  const token = (await page.getByTestId("token-secret").textContent())!.trim();
  expect(token.length).toBeGreaterThan(30);
  const progress = page.getByTestId("scim-progress");
  await expect(progress).toHaveText("Waiting for Entra's Test Connection…");
  await expect(page.getByTestId("step-3")).toHaveAttribute("data-status", "Waiting");
  await shot(page, "connect-waiting");

  // Entra's Test Connection, as Entra sends it: the page moves on without a reload.
  const marker = await page.evaluate(() => ((window as any).__noReload = "still here"));
  const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };
  const probe = await request.get(`${scim}/Users?filter=userName+eq+%22${crypto.randomUUID()}%22`, { headers: auth });
  expect(probe.status()).toBe(200);
  expect((await probe.json()).totalResults).toBe(0);
  await expect(progress).toContainText("Waiting for the first provisioning cycle…", { timeout: 10_000 });

  // The first cycle: a person whose userName is not what her sign-in gives, no mobile phone
  // mapped; a group, then its members in a PATCH, as Entra does.
  const lookup = await request.get(`${scim}/Users?filter=userName+eq+%22alice.smith%40contoso.example%22`, { headers: auth });
  expect((await lookup.json()).totalResults).toBe(0);
  const user = await request.post(`${scim}/Users`, {
    headers: auth,
    data: {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: "alice.smith@contoso.example", active: true, displayName: "Alice Smith", externalId: "alice.smith",
      emails: [{ primary: true, type: "work", value: "alice@contoso.example" }],
      name: { givenName: "Alice", familyName: "Smith", formatted: "Alice Smith" },
      title: "Administrator",
    },
  });
  expect(user.status()).toBe(201);
  const group = await request.post(`${scim}/Groups`, {
    headers: auth,
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"], displayName: "Fabrikam admins" },
  });
  expect(group.status()).toBe(201);
  const members = await request.patch(`${scim}/Groups/${(await group.json()).id}`, {
    headers: auth,
    data: {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "Add", path: "members", value: [{ value: (await user.json()).id }] }],
    },
  });
  expect(members.status()).toBe(204);
  await expect(progress).toContainText("First cycle: 1 user, 1 group", { timeout: 10_000 });
  await expect(page.getByTestId("step-3")).toHaveAttribute("data-status", "Done", { timeout: 10_000 });
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(marker);
  for (const step of ["step-1", "step-2", "step-3"]) {
    await expect(page.getByTestId(`overview-${step}`)).toContainText("Done");
  }

  // The attribute check flags the missing mobile phone, with the mapping to add in Entra.
  const check = page.getByTestId("attribute-check");
  await expect(check).toHaveAttribute("data-status", "Needs attention");
  const missing = check.getByTestId("missing-attributes");
  await expect(missing.locator("li")).toHaveCount(1);
  await expect(missing.locator("li")).toContainText('Source attribute mobile → Target attribute phoneNumbers[type eq "mobile"].value');
  await expect(check.getByTestId("removable-attributes")).toContainText("title");

  // The identity binding check flags the mismatched username, and says which mapping to change.
  const binding = page.getByTestId("binding-check");
  await expect(binding).toContainText("No provisioned account matches");
  await expect(binding).toContainText("Entra provisioned this person as “alice.smith@contoso.example”");
  await expect(binding.getByTestId("binding-advice")).toContainText("map userName from userPrincipalName");
  await shot(page, "connect-done");
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, "connect-done-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  // The Users page lists who was provisioned but never signed in.
  await page.goto("/users?sign_in=never_signed_in");
  await hydrated(page);
  await expect(page.getByLabel("Sign-in")).toHaveValue("never_signed_in");
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  await expect(page.locator('[data-username="alice.smith@contoso.example"]')).toBeVisible();
  await page.getByLabel("Sign-in").selectOption("sso_not_provisioned");
  await expect(page.getByText("No users match these filters")).toBeVisible();

  // The home page no longer needs the call to action.
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Welcome to Cantara" })).toBeVisible();
  await expect(page.getByTestId("connect-cta")).toHaveCount(0);
  // Provisioning health on the home page: every request so far succeeded.
  await expect(page.getByTestId("provisioning-health")).toHaveAttribute("data-state", "Healthy");
  await expect(page.getByTestId("health-reason")).toHaveText("The last 5 requests succeeded.");

  // Entra sends people without a userName mapping: the Provisioning page says it is degraded,
  // why, and shows the most frequent failure with an example request.
  for (let i = 0; i < 3; i++) {
    const bad = await request.post(`${scim}/Users`, {
      headers: auth,
      data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], displayName: `Nameless ${i}` },
    });
    expect(bad.status()).toBe(400);
  }
  // The log is written in batches (within 100 ms): the page is read again until it has them.
  const health = page.getByTestId("provisioning-health");
  await expect(async () => {
    await page.goto("/provisioning");
    await hydrated(page);
    await expect(health).toHaveAttribute("data-state", "Degraded", { timeout: 1000 });
  }).toPass();
  await expect(health.getByTestId("health-reason")).toContainText("3 of the last 8 requests were refused");
  await expect(health.getByTestId("health-reason")).toContainText("check the attribute mapping");
  await expect(health.getByTestId("top-failure")).toContainText("Most frequent failure (3×): 400 Bad Request");
  await expect(health.getByTestId("top-failure")).toContainText("POST /Users");
  await shot(page, "provisioning-health");
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  await shot(page, "provisioning-health-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/");
  await hydrated(page);
  await expect(page.getByTestId("provisioning-health")).toHaveAttribute("data-state", "Degraded");

  // The client secret expires in three days: a banner on every page, which leads to Step 1.
  await page.goto("/connect-entra");
  await hydrated(page);
  const inThreeDays = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
  await page.getByLabel("Client secret expires").fill(inThreeDays);
  await page.getByRole("button", { name: "Save date" }).click();
  await expect(page.getByTestId("toast")).toContainText("Client secret expiry saved.");
  await page.goto("/users");
  await hydrated(page);
  const banner = page.getByTestId("expiry-banner");
  await expect(banner).toContainText(`The client secret of ${NAME} expires in`);
  await expect(banner).toContainText("Certificates & secrets");
  await shot(page, "expiry-banner");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "expiry-banner-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
  await banner.getByRole("link", { name: "Fix it" }).click();
  await expect(page).toHaveURL(/\/connect-entra#step-1$/);

  // Leave single sign-on off in this tenant for the other journeys.
  await page.goto("/identity-providers");
  await hydrated(page);
  await page.locator(`[data-idp-name="${NAME}"]`).getByRole("button", { name: "Deactivate" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Deactivate" }).click();
  await expect(page.locator(`[data-idp-name="${NAME}"]`)).toContainText("Inactive");
});
