import { expect, test } from "@playwright/test";
import { hydrated, shot, signIn, submitLogin } from "./helpers";

test.describe.configure({ mode: "serial" });

test("a wrong password is refused with one generic message", async ({ page }) => {
  await page.goto("/tenants");
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
  await expect(page.getByTestId("login-tenant")).toHaveText("Default");
  await shot(page, "login");
  await submitLogin(page, "admin", "definitely-not-it");
  await expect(page.getByRole("alert")).toHaveText("The username or password is incorrect.");
  await expect(page).toHaveURL(/\/login\?/);
  await shot(page, "login-refused");
  const cookies = await page.context().cookies();
  expect(cookies.find((c) => c.name === "cantara_session")).toBeUndefined();
});

test("the admin signs in, uses the console, creates a tenant and signs out", async ({ page }) => {
  await signIn(page);
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);

  const session = (await page.context().cookies()).find((c) => c.name === "cantara_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");

  // The shell: product, tenant, person, and the four navigation entries.
  await expect(page.getByRole("heading", { name: "Welcome to Cantara" })).toBeVisible();
  await expect(page.getByTestId("current-tenant")).toHaveText("Default");
  await expect(page.getByTestId("signed-in-user")).toHaveText("Administrator");
  const nav = page.getByRole("navigation", { name: "Main" }).last();
  for (const label of ["Identity Providers", "Users", "Security Groups", "Tenants"]) {
    await expect(nav.getByRole("link", { name: label })).toBeVisible();
  }
  // Tailwind is applied: the primary colour on the logo mark.
  const bg = await page.locator("header a span").first().evaluate((el) => getComputedStyle(el).backgroundColor);
  expect(bg).not.toBe("rgba(0, 0, 0, 0)");
  await shot(page, "home");

  await nav.getByRole("link", { name: "Identity Providers" }).click();
  await expect(page.getByRole("heading", { name: "Identity Providers" })).toBeVisible();
  await shot(page, "identity-providers");
  await nav.getByRole("link", { name: "Users" }).click();
  await expect(page.getByRole("heading", { name: "Users", exact: true })).toBeVisible();
  await expect(page.locator('[data-username="admin"]')).toContainText("Local");
  await shot(page, "users");
  await nav.getByRole("link", { name: "Security Groups" }).click();
  await expect(page.getByRole("heading", { name: "Security Groups", exact: true })).toBeVisible();
  await shot(page, "security-groups");

  // Tenants: create one (client-side, no reload) and see its Tenant ID and SCIM Tenant URL.
  await nav.getByRole("link", { name: "Tenants" }).click();
  await expect(page).toHaveURL(/\/tenants$/);
  const marker = await page.evaluate(() => ((window as any).__noReload = "still here"));
  await page.getByLabel("Name").fill("Contoso");
  await page.getByRole("button", { name: "Create tenant" }).click();
  await expect(page.getByTestId("toast")).toContainText("Tenant “Contoso” created.");
  const card = page.locator('[data-tenant-name="Contoso"]');
  await expect(card).toBeVisible();
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(marker);
  const tenantId = (await card.getByTestId("tenant-id").textContent())!.trim();
  expect(tenantId).toMatch(/^[0-9a-f-]{36}$/);
  const base = new URL(page.url()).origin;
  await expect(card.getByTestId("scim-url")).toHaveText(`${base}/scim/v2/${tenantId}`);
  await expect(card.getByRole("button", { name: "Copy SCIM Tenant URL" })).toBeEnabled();
  await shot(page, "tenants");

  // A name already taken is refused next to the field, and nothing is added.
  await page.getByLabel("Name").fill("contoso");
  await page.getByRole("button", { name: "Create tenant" }).click();
  await expect(page.getByText("A tenant named “contoso” already exists.")).toBeVisible();
  await expect(page.getByTestId("tenant-card")).toHaveCount(2);

  // The switcher appears with two tenants; switching changes the header.
  await page.reload();
  await hydrated(page);
  const switcher = () => page.getByRole("combobox", { name: "Tenant", exact: true });
  await expect(switcher()).toBeEnabled();
  // Switching reloads the page; the server renders it from the session, in the chosen tenant.
  await Promise.all([page.waitForEvent("load"), switcher().selectOption({ label: "Contoso" })]);
  await hydrated(page);
  await expect(switcher().locator("option:checked")).toHaveText("Contoso");
  await expect(switcher()).toHaveValue(tenantId);

  // Phone width: the navigation folds into a menu.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByLabel("Open navigation").click();
  await expect(page.locator("#mobile-nav").getByRole("link", { name: "Users" })).toBeVisible();
  await shot(page, "tenants-phone");
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});
