import AxeBuilder from "@axe-core/playwright";
import { expect, Page, test } from "@playwright/test";
import { hydrated, shot, signIn } from "./helpers";

// Every console page, after the other journeys filled the console: its own <title>, no wider than a
// phone at 390 px, no accessibility violation (axe-core, WCAG 2.1 A and AA) in the light and the dark
// theme, and a screenshot of each at 1280×800 and 390 px in both themes.

type Visit = { path: string; title: string; name: string };

async function idOf(page: Page, listPath: string, row: string): Promise<string> {
  await page.goto(listPath);
  await hydrated(page);
  const href = await page.locator(row).first().getByRole("link").first().getAttribute("href");
  return href!.split("/").pop()!;
}

async function noViolations(page: Page, what: string) {
  const result = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const found = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
  expect(found, `${what}: accessibility violations`).toEqual([]);
}

async function theme(page: Page, dark: boolean) {
  await page.emulateMedia({ colorScheme: dark ? "dark" : "light" });
}

test("every page: a title of its own, fits a phone, no accessibility violations in either theme", async ({ page }) => {
  test.setTimeout(240_000);
  await signIn(page);
  // A local group and a user of it, so the detail pages have something to show.
  await page.goto("/security-groups");
  await hydrated(page);
  await page.getByRole("button", { name: "+ Add local group" }).click();
  await page.getByRole("dialog").getByLabel("Group name").fill("Visual check group");
  await page.getByRole("dialog").getByRole("button", { name: "Create group" }).click();
  await expect(page).toHaveURL(/\/security-groups\/[0-9a-f-]{36}$/);
  const groupId = page.url().split("/").pop()!;
  const adminId = await idOf(page, "/users?q=admin", '[data-username="admin"]');
  const idpId = await idOf(page, "/identity-providers", '[data-testid="idp-row"]');
  const topicId = await idOf(page, "/security-topics", '[data-testid="topic-card"]');

  const visits: Visit[] = [
    { path: "/", title: "Home · Cantara", name: "home" },
    { path: "/identity-providers", title: "Identity Providers · Cantara", name: "identity-providers" },
    { path: "/identity-providers/new", title: "Add Identity Provider · Cantara", name: "idp-new" },
    { path: `/identity-providers/${idpId}`, title: /^Identity provider: .+ · Cantara$/ as unknown as string, name: "idp-edit" },
    { path: "/users", title: "Users · Cantara", name: "users" },
    { path: "/users/new", title: "Add local user · Cantara", name: "user-new" },
    { path: `/users/${adminId}`, title: /^.+ · Cantara$/ as unknown as string, name: "user-self" },
    { path: "/security-groups", title: "Security Groups · Cantara", name: "security-groups" },
    { path: `/security-groups/${groupId}`, title: "Visual check group · Cantara", name: "security-group" },
    { path: "/security-topics", title: "Security Topics · Cantara", name: "security-topics" },
    { path: `/security-topics/${topicId}`, title: /^.+ · Cantara$/ as unknown as string, name: "security-topic" },
    { path: "/provisioning", title: "Provisioning · Cantara", name: "provisioning" },
    { path: "/tenants", title: "Tenants · Cantara", name: "tenants" },
    { path: "/connect-entra", title: "Connect Microsoft Entra ID · Cantara", name: "connect-entra" },
    { path: "/provisioning/alerts", title: "Alerts · Cantara", name: "alerts" },
    { path: "/no-such-page", title: "Page not found · Cantara", name: "not-found" },
  ];
  const titles = new Set<string>();
  for (const dark of [false, true]) {
    await theme(page, dark);
    for (const v of visits) {
      await page.setViewportSize({ width: 1280, height: 800 });
      await page.goto(v.path);
      await hydrated(page);
      await expect(page).toHaveTitle(v.title);
      titles.add(await page.title());
      await noViolations(page, `${v.path} (${dark ? "dark" : "light"})`);
      await shot(page, `all-${v.name}${dark ? "-dark" : ""}`);
      await page.setViewportSize({ width: 390, height: 844 });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${v.path} is wider than a phone`).toBeLessThanOrEqual(390);
      await noViolations(page, `${v.path} at 390 px (${dark ? "dark" : "light"})`);
      await shot(page, `all-${v.name}${dark ? "-dark" : ""}-phone`);
    }
  }
  expect(titles.size, "every page has its own title").toBe(visits.length);
  await page.setViewportSize({ width: 1280, height: 800 });
  await theme(page, false);

  // Signed out: the sign-in page too (signing out from a console page: "Page not found" has no header).
  await page.goto("/");
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  for (const dark of [false, true]) {
    await theme(page, dark);
    await page.goto("/login");
    await hydrated(page);
    await expect(page).toHaveTitle("Sign in · Cantara");
    await noViolations(page, `/login (${dark ? "dark" : "light"})`);
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, `all-login${dark ? "-dark" : ""}-phone`);
    await page.setViewportSize({ width: 1280, height: 800 });
  }
});

test("the theme switch overrides the system setting and is kept across reloads", async ({ page }) => {
  await page.emulateMedia({ colorScheme: "light" });
  await signIn(page);
  const root = page.locator("html");
  await expect(root).not.toHaveAttribute("data-theme", /./);
  const bg = () => page.evaluate(() => getComputedStyle(document.body.parentElement!).backgroundColor);
  const light = await bg();
  await page.getByTestId("theme-switch").click();
  await expect(root).toHaveAttribute("data-theme", "dark");
  await expect(page.getByTestId("theme-switch")).toHaveAttribute("aria-pressed", "true");
  expect(await bg()).not.toBe(light);
  // The server renders the choice, so the first paint is already dark.
  await page.reload();
  await expect(root).toHaveAttribute("data-theme", "dark");
  await hydrated(page);
  await shot(page, "home-dark-chosen");
  await page.getByTestId("theme-switch").click();
  await expect(root).toHaveAttribute("data-theme", "light");
  expect(await bg()).toBe(light);
});

test("lists keep their view in the URL, search as you type, and say when nothing matches", async ({ page }) => {
  await signIn(page);
  await page.goto("/users");
  await hydrated(page);
  await page.getByLabel("Search users").pressSequentially("adm", { delay: 30 });
  await expect(page).toHaveURL(/\/users\?q=adm$/);
  await expect(page.locator('[data-username="admin"]')).toBeVisible();
  await page.getByLabel("Account Source").selectOption("local");
  await expect(page).toHaveURL(/q=adm/);
  await expect(page).toHaveURL(/source=local/);
  // A reload, or the same link elsewhere, shows the same view.
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Search users")).toHaveValue("adm");
  await expect(page.getByLabel("Account Source")).toHaveValue("local");
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  // A surname (any word start of the name) finds the person too.
  await page.getByLabel("Account Source").selectOption("");
  await page.getByLabel("Search users").fill("hopp");
  await expect(page).toHaveURL(/q=hopp/);
  await expect(page.locator('[data-username="grace@contoso.com"]')).toBeVisible();
  await expect(page.getByTestId("user-row")).toHaveCount(1);
  // Nothing matches: say so, and offer to clear the filters.
  await page.getByLabel("Search users").fill("zzzz-nobody");
  await expect(page.getByTestId("no-match")).toContainText("No users match these filters.");
  await shot(page, "users-no-match");
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(page.getByLabel("Search users")).toHaveValue("");
  await expect(page.getByTestId("user-row").first()).toBeVisible();
  // At 390 px the rows are cards, each value labelled.
  await page.setViewportSize({ width: 390, height: 844 });
  const cell = page.locator('[data-username="admin"] td[data-label="Account Source"]');
  expect(await cell.evaluate((td) => getComputedStyle(td, "::before").content)).toBe('"Account Source"');
  await shot(page, "users-cards-phone");
});

test("the phone menu closes on navigation and on Escape; your own account cannot be deleted", async ({ page }) => {
  await signIn(page);
  await page.setViewportSize({ width: 390, height: 844 });
  const menu = page.locator("#mobile-nav");
  await page.getByLabel("Open navigation").click();
  await expect(menu).toHaveAttribute("open", "");
  await menu.getByRole("link", { name: "Users" }).click();
  await expect(page).toHaveURL(/\/users$/);
  await expect(menu).not.toHaveAttribute("open", "");
  await page.getByLabel("Open navigation").click();
  await expect(menu).toHaveAttribute("open", "");
  await page.keyboard.press("Escape");
  await expect(menu).not.toHaveAttribute("open", "");
  await expect(page.getByLabel("Open navigation")).toBeFocused();
  await page.setViewportSize({ width: 1280, height: 800 });

  await page.locator('[data-username="admin"]').getByRole("link", { name: "admin" }).click();
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Delete" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Deactivate" })).toBeDisabled();
  await expect(page.getByTestId("self-note")).toHaveText("This is your own account: another administrator can deactivate or delete it.");
  await shot(page, "user-self");
});
