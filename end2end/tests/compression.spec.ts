import { expect, test } from "@playwright/test";
import { adminPassword, hydrated, signIn } from "./helpers";

// The release site is built with `cargo leptos build --precompress` (scripts/build.sh): the wasm
// and JS go compressed to browsers that accept it, as they are to anyone else.

test("the wasm and JS are sent compressed to browsers that accept it", async ({ page, request }) => {
  await signIn(page);
  const encodings = new Map<string, string | undefined>();
  page.on("response", async (r) => {
    if (/\/pkg\/cantara\.(wasm|js)$/.test(r.url())) encodings.set(r.url(), (await r.allHeaders())["content-encoding"]);
  });
  await page.goto("/users");
  await hydrated(page);
  expect(encodings.size).toBe(2);
  for (const [url, encoding] of encodings) expect(encoding, url).toMatch(/^(br|gzip)$/);

  for (const path of ["/pkg/cantara.wasm", "/pkg/cantara.js"]) {
    const res = await request.get(path, { headers: { "accept-encoding": "gzip" } });
    expect(res.status()).toBe(200);
    expect(res.headers()["content-encoding"]).toBe("gzip");
  }
  const plain = await request.get("/pkg/cantara.wasm", { headers: { "accept-encoding": "identity" } });
  expect(plain.headers()["content-encoding"]).toBeUndefined();
  expect((await plain.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0x61, 0x73, 0x6d]));
});

test("the sign-in pages ship no wasm or JS, and sign-in works in a browser without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const assets: string[] = [];
  page.on("request", (r) => {
    if (/\.(wasm|js)$/.test(new URL(r.url()).pathname)) assets.push(r.url());
  });
  for (const path of ["/login", "/sign-in-failed?reason=state"]) {
    await page.goto(path);
    await expect(page.locator("#app")).toHaveAttribute("data-hydrated", "true");
  }
  await page.goto("/login");
  await expect(page.getByTestId("login-tenant")).toHaveText("Default");

  // A refusal comes back as a redirect to the sign-in page, which shows the one generic message.
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill("definitely-not-it");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toHaveText("The username or password is incorrect.");
  await expect(page).toHaveURL(/\/login\?/);

  // The error is in the address, which anyone can write: a made-up message is not shown.
  const forged = Buffer.from(JSON.stringify({ PermissionDenied: { message: "Call 555-0100 to unlock your account." } })).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
  await page.goto(`/login?__path=%2Fapi%2Flogin&__err=${encodeURIComponent(forged)}`);
  await expect(page.getByRole("alert")).toHaveText("Sign-in did not work. Try again.");

  expect(assets).toEqual([]);

  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(adminPassword());
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/$/);
  expect((await context.cookies()).find((c) => c.name === "cantara_session")?.httpOnly).toBe(true);
  await context.close();
});
