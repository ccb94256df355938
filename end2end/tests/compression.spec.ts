import { expect, test } from "@playwright/test";
import { hydrated } from "./helpers";

// The release site is built with `cargo leptos build --precompress` (scripts/build.sh): the wasm
// and JS go compressed to browsers that accept it, as they are to anyone else.

test("the wasm and JS are sent compressed to browsers that accept it", async ({ page, request }) => {
  const encodings = new Map<string, string | undefined>();
  page.on("response", async (r) => {
    if (/\/pkg\/cantara\.(wasm|js)$/.test(r.url())) encodings.set(r.url(), (await r.allHeaders())["content-encoding"]);
  });
  await page.goto("/login");
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
