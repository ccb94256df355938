import { expect, test } from "@playwright/test";
import { hydrated, shot, signIn } from "./helpers";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const SECRET = "Q~8Xq.super-secret-value_123";

test("guide Step 2: configure, save and activate an OAuth2 identity provider", async ({ page }) => {
  await signIn(page);

  // 1. In Cantara, navigate to Identity Providers.
  await page.getByRole("navigation", { name: "Main" }).last().getByRole("link", { name: "Identity Providers" }).click();
  await expect(page.getByRole("heading", { name: "Identity Providers", exact: true })).toBeVisible();
  await shot(page, "idp-empty");

  // 2. Click + Add Identity Provider.
  await page.getByRole("link", { name: "+ Add Identity Provider" }).first().click();
  await expect(page).toHaveURL(/\/identity-providers\/new$/);
  await hydrated(page);

  // 3. Select OAuth2 as the Identity Provider Type.
  await page.getByLabel("Identity Provider Type").selectOption({ label: "OAuth2" });

  // 4. Enter a name and description.
  await page.getByLabel("Name", { exact: true }).fill("Microsoft Entra ID");
  await page.getByLabel("Description").fill("Contoso workforce sign-in");

  // Defaults the guide and the contract promise.
  await expect(page.getByLabel("Authentication Method")).toHaveValue("client_secret_post");
  await expect(page.getByLabel("Username Attribute")).toHaveValue("preferred_username");
  await expect(page.getByLabel("Display Name Attribute")).toHaveValue("name");
  await expect(page.getByLabel("Authorisation Grant Type")).toHaveValue("authorization_code");
  await expect(page.getByLabel("Scopes (spaces or comma separated)")).toHaveValue("openid profile email");
  await expect(page.getByLabel("PKCE Enabled")).toBeChecked();
  await expect(page.getByLabel("Secure JWKS URL")).toBeChecked();
  await expect(page.getByLabel("Enable Refresh Tokens")).not.toBeChecked();
  const base = new URL(page.url()).origin;
  await expect(page.getByLabel("Redirect URL", { exact: true })).toHaveValue(`${base}/oauth`);
  await expect(page.getByLabel("Redirect URL", { exact: true })).toHaveAttribute("readonly", "");

  // Saving an incomplete form changes nothing and says what is missing, next to each field.
  await page.getByRole("button", { name: "Save Identity Provider" }).click();
  // The summary at the top says so, takes the focus, and links to each field.
  const summary = page.getByTestId("error-summary");
  await expect(summary).toContainText("Nothing was saved: correct the fields below.");
  await expect(page.getByTestId("error-summary-anchor")).toBeFocused();
  await expect(summary.getByRole("link", { name: "Client ID" })).toBeVisible();
  await expect(page.getByText("Enter the Application (client) ID").last()).toBeVisible();
  await shot(page, "idp-error-summary");
  await summary.getByRole("link", { name: "Client ID" }).click();
  await expect(page.getByLabel("Client ID")).toBeFocused();
  await expect(page.getByLabel("Client ID")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Client ID")).toHaveAttribute("aria-describedby", /field-client_id-error/);
  // The primary actions stay in view on a long form.
  await expect(page.getByTestId("action-bar")).toBeInViewport();

  // 5. Enter the OAuth 2.0 configuration details (Entra quick fill for the endpoints).
  await page.getByLabel("Directory (tenant) ID").fill(TENANT);
  await page.getByRole("button", { name: "Fill Entra endpoints" }).click();
  await expect(page.getByLabel("Authentication URL")).toHaveValue(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/authorize`);
  await expect(page.getByLabel("Access Token URL")).toHaveValue(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token`);
  await expect(page.getByLabel("JSON Web Key Set URL")).toHaveValue(`https://login.microsoftonline.com/${TENANT}/discovery/v2.0/keys`);
  await expect(page.getByLabel("Issuer URI")).toHaveValue(`https://login.microsoftonline.com/${TENANT}/v2.0`);
  await expect(page.getByLabel("Logout URL")).toHaveValue(`https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/logout`);
  await page.getByLabel("Client ID").fill("11111111-2222-3333-4444-555555555555");
  await expect(page.getByLabel("Client ID")).toHaveAttribute("aria-invalid", "false"); // cleared once edited
  await page.getByLabel("Client Secret", { exact: true }).fill(SECRET);
  await page.getByLabel("Provider Display Name").fill("Microsoft Entra ID");
  for (const label of ["User Info URL", "Resource", "Audience"]) {
    await expect(page.getByLabel(label)).toBeVisible();
  }
  await shot(page, "idp-wizard");

  // 6. Click Save Identity Provider → "Identity Provider saved".
  await page.getByRole("button", { name: "Save Identity Provider" }).click();
  const saved = page.getByRole("dialog");
  await expect(saved).toContainText("Identity Provider saved");
  await shot(page, "idp-saved");
  await saved.getByRole("button", { name: "OK" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  // A new provider moves to its own address, so a reload shows what was saved.
  await expect(page).toHaveURL(/\/identity-providers\/[0-9a-f-]{36}$/);
  await expect(page).toHaveTitle("Identity provider: Microsoft Entra ID · Cantara");
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Client ID")).toHaveValue("11111111-2222-3333-4444-555555555555");

  // The secret never reaches the page after saving.
  await expect(page.getByLabel("Client Secret", { exact: true })).toHaveValue("");
  expect(await page.content()).not.toContain(SECRET);

  // 7. Click Activate → the guide's confirmation; Cancel changes nothing.
  await page.getByRole("button", { name: "Activate" }).click();
  const confirm = page.getByRole("dialog");
  await expect(confirm).toContainText(
    "Are you sure you want to activate the selected identity provider? Incorrect configuration may prevent administration console access.",
  );
  await expect(confirm.getByTestId("last-check")).toHaveText("No configuration check has been run for this identity provider.");
  await shot(page, "idp-activate-confirm");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);

  // 8. Click Yes to confirm the activation; the list shows it Active.
  await page.getByRole("button", { name: "Activate" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Yes" }).click();
  await expect(page).toHaveURL(/\/identity-providers$/);
  const row = page.locator('[data-idp-name="Microsoft Entra ID"]');
  await expect(row).toContainText("Active");
  await expect(row).toContainText("OAuth2");
  await shot(page, "idp-list-active");

  // Editing shows only that a secret is set, and the audit trail without it.
  await row.getByRole("link", { name: "Microsoft Entra ID" }).click();
  await hydrated(page);
  await expect(page.getByLabel("Client Secret", { exact: true })).toHaveAttribute("placeholder", "A secret is set — leave empty to keep it");
  await expect(page.getByTestId("idp-audit")).toContainText("activated");
  const html = await page.content();
  expect(html).not.toContain(SECRET);
  await shot(page, "idp-edit");
});
