import { expect, Page } from "@playwright/test";

export const adminPassword = () => {
  const p = process.env.E2E_ADMIN_PASSWORD;
  if (!p) throw new Error("E2E_ADMIN_PASSWORD is not set (run end2end/run.sh)");
  return p;
};

/** Waits until the wasm has hydrated the page, so clicks are handled by the app. */
export async function hydrated(page: Page) {
  await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true", { timeout: 15_000 });
}

export async function shot(page: Page, name: string) {
  // From the top: sticky headers are drawn where they are at the current scroll position.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: `screenshots/${name}.png`, fullPage: true });
}

/** Fills and submits the sign-in form, without waiting for the outcome. */
export async function submitLogin(page: Page, username: string, password: string) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Signs in and waits until the console is shown. */
export async function signIn(page: Page, username = "admin", password = adminPassword()) {
  await submitLogin(page, username, password);
  await expect(page).toHaveURL(/\/$/);
  await hydrated(page);
}

// The real OpenID provider started by run.sh (oidc/entra-mock.mjs), shaped like Entra ID.
export const issuer = () => {
  const i = process.env.OIDC_ISSUER;
  if (!i) throw new Error("OIDC_ISSUER is not set (run end2end/run.sh)");
  return i;
};

/** At the provider: its login page (any password) and consent page when it shows them; with a
 *  provider session already open it sends the browser straight back to Cantara. */
export async function atProvider(page: Page, login: string) {
  const provider = new URL(issuer()).origin;
  const interacting = (u: URL) => u.origin === provider && u.pathname.includes("/interaction/");
  const backHome = (u: URL) => u.origin !== provider && !u.pathname.startsWith("/oauth");
  await page.waitForURL((u) => interacting(u) || backHome(u));
  if (!interacting(new URL(page.url()))) return;
  if (await page.locator('input[name="login"]').isVisible()) {
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill("any password");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.waitForURL((u) => interacting(u) || backHome(u));
  }
  const consent = page.getByRole("button", { name: "Continue" });
  if (interacting(new URL(page.url())) && (await consent.isVisible())) await consent.click();
}


/** Creates a tenant on the Tenants page and switches the console to it with the tenant switcher. */
export async function createTenantAndSwitch(page: Page, name: string) {
  await page.goto("/tenants");
  await hydrated(page);
  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create tenant" }).click();
  await expect(page.getByTestId("toast")).toContainText(`Tenant “${name}” created.`);
  await page.reload();
  await hydrated(page);
  await Promise.all([page.waitForEvent("load"), page.getByRole("combobox", { name: "Tenant", exact: true }).selectOption({ label: name })]);
  await hydrated(page);
}
