import { expect, test } from "@playwright/test";
import { atProvider, hydrated, issuer, shot, signIn } from "./helpers";

const CLIENT_ID = "console-client";
const CLIENT_SECRET = "console-client-secret-for-tests";
const NAME = "Contoso test directory";

test("single sign-on: configure, test, activate, sign in as the provider's user, refuse a deactivated one, log out at the provider", async ({ page, request }) => {
  await signIn(page);

  // A SCIM-provisioned person who was deactivated in Entra.
  await page.goto("/tenants");
  await hydrated(page);
  await page.getByLabel("Description").fill("sso test");
  await page.getByRole("button", { name: "Generate new token" }).click();
  const token = (await page.getByTestId("token-secret").textContent())!.trim();
  const scim = (await page.locator('[data-tenant-name="Default"]').getByTestId("scim-url").textContent())!.trim();
  const bob = await request.post(`${scim}/Users`, {
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" },
    data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "bob@contoso.example", active: false, displayName: "Bob Deactivated" },
  });
  expect(bob.status()).toBe(201);

  // Configure the provider through the wizard, importing the endpoints from discovery.
  await page.goto("/identity-providers/new");
  await hydrated(page);
  await page.getByLabel("Identity Provider Type").selectOption({ label: "OAuth2" });
  await page.getByLabel("Name", { exact: true }).fill(NAME);
  await page.getByPlaceholder("Issuer or discovery URL").fill(issuer());
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByText("Filled the endpoints from the provider's discovery document.")).toBeVisible();
  await expect(page.getByLabel("Issuer URI")).toHaveValue(issuer());
  await expect(page.getByLabel("Logout URL")).toHaveValue(/\/oauth2\/v2.0\/logout$/);
  await page.getByLabel("Client ID").fill(CLIENT_ID);
  await page.getByLabel("Client Secret", { exact: true }).fill(CLIENT_SECRET);
  await page.getByLabel("Provider Display Name").fill("Contoso Entra");
  await page.getByRole("button", { name: "Save Identity Provider" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "OK" }).click();

  // Test sign-in: the whole flow for this admin, no session, the claims shown.
  await page.getByRole("link", { name: "Test sign-in" }).click();
  await atProvider(page, "alice");
  await expect(page).toHaveURL(/\/identity-providers\/[^/?]+\?tested=1$/);
  await hydrated(page);
  const result = page.getByTestId("test-result");
  await expect(result).toContainText("Test sign-in succeeded");
  await expect(result.getByTestId("test-username")).toHaveText("alice@contoso.example");
  await expect(result.getByTestId("test-display-name")).toHaveText("Alice Admin");
  await result.getByText(/^Claims/).click();
  await expect(result).toContainText("aaaaaaaa-0000-0000-0000-000000000001");
  await shot(page, "sso-test-sign-in");
  // Still the local admin: a test makes no session.
  await expect(page.getByTestId("signed-in-user")).toContainText("Administrator");

  // Activate: the dialog says the test succeeded.
  await page.getByRole("button", { name: "Activate" }).click();
  const confirm = page.getByRole("dialog");
  await expect(confirm.getByTestId("last-test")).toContainText("Test sign-in: succeeded as alice@contoso.example");
  await shot(page, "sso-activate-confirm");
  await confirm.getByRole("button", { name: "Yes" }).click();
  await expect(page).toHaveURL(/\/identity-providers$/);
  await expect(page.locator(`[data-idp-name="${NAME}"]`)).toContainText("Active");

  // Sign out; the sign-in page offers the provider.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
  const sso = page.getByRole("link", { name: "Sign in with Contoso Entra" });
  await expect(sso).toBeVisible();
  await shot(page, "sso-login");

  // Sign in with SSO: lands in the console as the provider's user.
  await sso.click();
  await atProvider(page, "alice");
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
  await expect(page.getByTestId("signed-in-user")).toContainText("Alice Admin");
  await shot(page, "sso-signed-in");

  // Logout ends the session and reaches the provider's logout page, which comes back to sign-in.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/oauth2\/v2.0\/logout/);
  await page.getByRole("button", { name: "Yes, sign me out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);

  // The deactivated SCIM account is refused with a page that says so.
  await hydrated(page);
  await page.getByRole("link", { name: "Sign in with Contoso Entra" }).click();
  await atProvider(page, "bob");
  await expect(page).toHaveURL(/\/sign-in-failed\?reason=account_deactivated/);
  await expect(page.getByTestId("sso-failure-title")).toHaveText("Your account is deactivated");
  await expect(page.getByTestId("sso-failure")).toContainText("Your account is deactivated.");
  await shot(page, "sso-refused");
  await page.getByRole("link", { name: "Back to sign-in" }).click();
  await expect(page).toHaveURL(/\/login/);

  // Local sign-in stays available to administrators (break-glass); switch SSO off again so the
  // other journeys see the plain sign-in page.
  await signIn(page);
  await page.goto("/identity-providers");
  await hydrated(page);
  // Deactivating turns SSO off for the tenant: the one dialog asks first, naming the provider.
  const deactivate = page.locator(`[data-idp-name="${NAME}"]`).getByRole("button", { name: "Deactivate" });
  await deactivate.click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByRole("heading")).toHaveText(`Deactivate ${NAME}?`);
  await expect(dialog).toContainText("People of this tenant can no longer sign in with single sign-on.");
  // Focus moves in, to Cancel (the default), and Tab stays inside.
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Deactivate" })).toBeFocused();
  await page.keyboard.press("Tab");
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await page.keyboard.press("Shift+Tab");
  await expect(dialog.getByRole("button", { name: "Deactivate" })).toBeFocused();
  await shot(page, "idp-deactivate-confirm");
  // Escape closes it, changes nothing, and gives focus back to the button that opened it.
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await expect(deactivate).toBeFocused();
  await expect(page.locator(`[data-idp-name="${NAME}"]`)).toContainText("Active");
  await deactivate.click();
  await page.getByRole("dialog").getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByTestId("toast")).toContainText(`${NAME} deactivated. Single sign-on is off for this tenant.`);
  await expect(page.locator(`[data-idp-name="${NAME}"]`)).toContainText("Inactive");
});

test("an error answer from the provider gets its own explanation", async ({ page }) => {
  await page.goto("/sign-in-failed?reason=provider_access_denied");
  await hydrated(page);
  await expect(page.getByTestId("sso-failure-title")).toHaveText("Access denied by your identity provider");
  await expect(page.getByTestId("sso-failure")).toContainText("assigned to the Cantara application");
  await expect(page.getByRole("link", { name: "Back to sign-in" })).toHaveAttribute("href", "/login");
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, "sso-access-denied-phone");
});
