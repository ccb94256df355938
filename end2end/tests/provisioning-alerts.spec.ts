import { expect, test } from "@playwright/test";
import { createHmac } from "node:crypto";
import { createServer, IncomingMessage } from "node:http";
import { AddressInfo } from "node:net";
import { adminPassword, createTenantAndSwitch, hydrated, shot, signIn, submitLogin } from "./helpers";

// The Alerts page with a real webhook receiver on loopback that checks Cantara's signature on
// its own, and the mass-deprovisioning notice on Provisioning health after Entra-shaped SCIM
// deactivations, in a tenant of its own.

const TENANT = "Northwind";

type Got = { verified: boolean; event: any };

/** A receiver on 127.0.0.1: verifies `Cantara-Signature` with the secret it is given. */
async function receiver() {
  const got: Got[] = [];
  let secret = "";
  const body = (req: IncomingMessage) =>
    new Promise<string>((ok) => {
      let b = "";
      req.on("data", (c) => (b += c));
      req.on("end", () => ok(b));
    });
  const server = createServer(async (req, res) => {
    const text = await body(req);
    const sig = String(req.headers["cantara-signature"] ?? "");
    const t = /t=(\d+)/.exec(sig)?.[1] ?? "";
    const v1 = /v1=([0-9a-f]+)/.exec(sig)?.[1] ?? "";
    const expected = createHmac("sha256", secret).update(`${t}.${text}`).digest("hex");
    const verified = v1 === expected && Math.abs(Date.now() / 1000 - Number(t)) < 300;
    got.push({ verified, event: JSON.parse(text) });
    res.writeHead(verified ? 200 : 401).end(verified ? "ok" : "bad signature");
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/hook`, got, setSecret: (s: string) => (secret = s), close: () => server.close() };
}

test("Alerts: a signed webhook with a test alert, a refused e-mail channel, the threshold, and a mass deprovisioning on health", async ({ page, request }) => {
  test.setTimeout(90_000);
  const hook = await receiver();
  try {
    await signIn(page);

    // An expired client secret: an administrator is told at local sign-in, with what to do.
    await page.goto("/connect-entra");
    await hydrated(page);
    await page.getByLabel("Client secret expires").fill("2020-01-31");
    await page.getByRole("button", { name: "Save date" }).click();
    await expect(page.getByTestId("toast")).toContainText("Client secret expiry saved.");
    await page.getByRole("button", { name: "Sign out" }).click();
    await expect(page).toHaveURL(/\/login/);
    await submitLogin(page, "admin", adminPassword());
    const expired = page.getByTestId("login-secret-expired");
    await expect(expired).toContainText("expired on 2020-01-31");
    await expect(expired).toContainText("Certificates & secrets");
    await shot(page, "login-secret-expired");
    await page.setViewportSize({ width: 390, height: 844 });
    await shot(page, "login-secret-expired-phone");
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("link", { name: "Continue to the console" }).click();
    await expect(page).toHaveURL(/\/$/);
    await hydrated(page);
    await page.goto("/connect-entra");
    await hydrated(page);
    await page.getByLabel("Client secret expires").fill("");
    await page.getByRole("button", { name: "Save date" }).click();
    await expect(page.getByTestId("toast")).toContainText("Client secret expiry saved.");

    await createTenantAndSwitch(page, TENANT);

    // From the Provisioning page to Alerts.
    await page.goto("/provisioning");
    await hydrated(page);
    await page.getByRole("link", { name: "Alerts", exact: true }).click();
    await expect(page).toHaveURL(/\/provisioning\/alerts$/);
    await hydrated(page);
    await expect(page).toHaveTitle("Alerts · Cantara");
    await expect(page.getByTestId("no-channels")).toBeVisible();
    await expect(page.getByTestId("open-alerts")).toContainText("Nothing is alerted now.");

    // A webhook: its signing secret is shown once.
    const webhook = page.getByRole("region", { name: "Add a webhook" });
    await webhook.getByLabel("Name", { exact: true }).fill("Incident hook");
    await webhook.getByLabel("URL", { exact: true }).fill(hook.url);
    await webhook.getByRole("button", { name: "Add webhook" }).click();
    const secret = (await page.getByTestId("signing-secret-value").textContent())!.trim();
    expect(secret).toMatch(/^whsec_/);
    hook.setSecret(secret);
    await shot(page, "alerts-secret");
    await page.getByTestId("signing-secret").getByRole("button", { name: "Done" }).click();
    await expect(page.getByTestId("signing-secret")).toHaveCount(0);
    await expect(page.getByTestId("channel-row")).toHaveCount(1);

    // Send test alert: delivered, signed, listed with the receiver's answer.
    await page.getByRole("button", { name: "Send test alert to Incident hook" }).click();
    await expect(page.getByTestId("toast")).toContainText("Test alert delivered to Incident hook.");
    expect(hook.got).toHaveLength(1);
    expect(hook.got[0].verified).toBe(true);
    expect(hook.got[0].event.kind).toBe("test");
    expect(hook.got[0].event.tenant_name).toBe(TENANT);
    const row = page.getByTestId("delivery-row").first();
    await expect(row).toHaveAttribute("data-outcome", "Delivered");
    await expect(row.getByTestId("delivery-answer")).toHaveText("HTTP 200: ok");

    // An e-mail channel with a recipient that is no address: refused next to its field.
    const email = page.getByRole("region", { name: "Add an e-mail channel" });
    await email.getByLabel("Name", { exact: true }).fill("Identity team");
    await email.getByLabel("SMTP server", { exact: true }).fill("smtp.northwind.example");
    await email.getByLabel("Username", { exact: true }).fill("alerts");
    await email.getByLabel("Password", { exact: true }).fill("secret");
    await email.getByLabel("From", { exact: true }).fill("cantara@northwind.example");
    await email.getByLabel("To", { exact: true }).fill("idteam@northwind.example, nobody");
    await email.getByRole("button", { name: "Add e-mail channel" }).click();
    await expect(email.getByText("“nobody” is not an e-mail address.")).toBeVisible();
    await expect(page.getByTestId("channel-row")).toHaveCount(1);

    // The threshold: a wrong value is refused, then 1 % and 2 people is saved.
    const mass = page.getByRole("region", { name: "Mass-deprovisioning notice" });
    await mass.getByLabel("Share of people (%)").fill("0");
    await mass.getByRole("button", { name: "Save notice" }).click();
    await expect(mass.getByText("Enter a whole number of percent from 1 to 100.")).toBeVisible();
    await mass.getByLabel("Share of people (%)").fill("1");
    await mass.getByLabel("At least (people)").fill("2");
    await mass.getByRole("button", { name: "Save notice" }).click();
    await expect(page.getByTestId("toast")).toContainText("Mass-deprovisioning notice saved.");
    await shot(page, "alerts");
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "alerts-phone");
    await page.setViewportSize({ width: 1280, height: 800 });

    // Entra provisions three people and deactivates two within the hour.
    await page.goto("/tenants");
    await hydrated(page);
    await page.getByRole("button", { name: "Generate new token" }).click();
    const token = (await page.getByTestId("token-secret").textContent())!.trim();
    const scim = (await page.locator(`[data-tenant-name="${TENANT}"]`).getByTestId("scim-url").textContent())!.trim();
    const auth = { Authorization: `Bearer ${token}`, "Content-Type": "application/scim+json" };
    const ids: string[] = [];
    for (const who of ["ada", "grace", "linus"]) {
      const r = await request.post(`${scim}/Users`, {
        headers: auth,
        data: { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: `${who}@northwind.example`, active: true },
      });
      expect(r.status()).toBe(201);
      ids.push((await r.json()).id);
    }
    for (const id of ids.slice(0, 2)) {
      const r = await request.patch(`${scim}/Users/${id}`, {
        headers: auth,
        data: { schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], Operations: [{ op: "Replace", path: "active", value: "False" }] },
      });
      expect(r.status()).toBe(200);
    }
    await page.goto("/provisioning");
    await hydrated(page);
    const notice = page.getByTestId("mass-deprovisioning");
    await expect(notice).toContainText("Mass deprovisioning: 2 people affected in the last hour");
    await expect(notice).toContainText("2 of 3 provisioned people were deactivated or deleted in the last hour");
    await notice.getByText("Who was affected").click();
    await expect(notice.getByTestId("mass-affected").getByRole("link")).toHaveCount(2);
    await expect(notice.getByTestId("mass-affected")).toContainText("ada@northwind.example");
    await expect(notice.getByTestId("mass-affected")).toContainText("grace@northwind.example");
    await expect(notice.getByTestId("mass-affected")).not.toContainText("linus@northwind.example");
    await shot(page, "provisioning-mass");
    await page.setViewportSize({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(page, "provisioning-mass-phone");
    await page.goto("/");
    await hydrated(page);
    await expect(page.getByTestId("mass-deprovisioning")).toBeVisible();
  } finally {
    hook.close();
  }
});
