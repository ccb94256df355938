// A real OpenID provider (panva's certified `oidc-provider`) shaped like one Microsoft Entra ID
// tenant, for the end-to-end tests: issuer http://127.0.0.1:PORT/{tenant}/v2.0, Entra's endpoint
// paths, RS256 keys without `alg` (as Entra publishes them), oid/tid/ver claims in the ID token,
// a static confidential client and RP-initiated logout. Its login page accepts any password;
// the login name picks the person (see PEOPLE).
//
// Environment: OIDC_PORT (required), CANTARA_URL (the console's base URL, for the redirect URI),
// STRICT_POST=1 to refuse HTTP Basic client authentication at the token endpoint.
import { createServer } from "node:http";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import Provider from "oidc-provider";

export const TENANT = "11111111-2222-3333-4444-555555555555";
export const CLIENT_ID = "console-client";
export const CLIENT_SECRET = "console-client-secret-for-tests";

const port = Number(process.env.OIDC_PORT);
const cantara = process.env.CANTARA_URL;
if (!port || !cantara) throw new Error("OIDC_PORT and CANTARA_URL are required");

const PEOPLE = {
  alice: { name: "Alice Admin", upn: "alice@contoso.example", oid: "aaaaaaaa-0000-0000-0000-000000000001" },
  bob: { name: "Bob Deactivated", upn: "bob@contoso.example", oid: "bbbbbbbb-0000-0000-0000-000000000002" },
};

const key = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" });
key.kid = "e2e-key-1";
key.use = "sig";

const issuer = `http://127.0.0.1:${port}/${TENANT}/v2.0`;
const provider = new Provider(issuer, {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: [`${cantara}/oauth`],
    post_logout_redirect_uris: [`${cantara}/oauth`],
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    token_endpoint_auth_method: "client_secret_post",
  }],
  jwks: { keys: [key] },
  cookies: { keys: [randomUUID()] },
  conformIdTokenClaims: false,
  claims: {
    openid: ["sub", "oid", "tid", "ver"],
    profile: ["name", "preferred_username"],
    email: ["email"],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  routes: {
    authorization: "/oauth2/v2.0/authorize",
    token: "/oauth2/v2.0/token",
    jwks: "/discovery/v2.0/keys",
    end_session: "/oauth2/v2.0/logout",
    userinfo: "/oidc/userinfo",
  },
  async findAccount(_ctx, id) {
    const p = PEOPLE[id] ?? { name: id, upn: `${id}@contoso.example`, oid: randomUUID() };
    return {
      accountId: id,
      async claims() {
        return { sub: `pairwise-${id}`, oid: p.oid, tid: TENANT, ver: "2.0", name: p.name, preferred_username: p.upn, email: p.upn };
      },
    };
  },
});
provider.on("server_error", (_ctx, err) => console.error("oidc-provider:", err));

const callback = provider.callback();
const mount = `/${TENANT}`;
createServer((req, res) => {
  const url = new URL(req.url, issuer);
  if (process.env.STRICT_POST === "1" && url.pathname.endsWith("/oauth2/v2.0/token") && req.headers.authorization) {
    res.writeHead(401, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "invalid_client", error_description: "client_secret_post only" }));
    return;
  }
  if (!url.pathname.startsWith(mount + "/")) {
    res.writeHead(404).end();
    return;
  }
  let rest = url.pathname.slice(mount.length);
  // Entra's discovery path is {tenant}/v2.0/.well-known/openid-configuration.
  if (rest === "/v2.0/.well-known/openid-configuration") rest = "/.well-known/openid-configuration";
  // Entra grants refresh tokens for offline_access without prompt=consent; oidc-provider wants it.
  if (rest === "/oauth2/v2.0/authorize" && url.searchParams.get("scope")?.split(" ").includes("offline_access") && !url.searchParams.has("prompt")) {
    url.searchParams.set("prompt", "consent");
  }
  req.originalUrl = mount + rest + url.search;
  req.url = rest + url.search;
  callback(req, res);
}).listen(port, "127.0.0.1", () => console.log(`entra-mock ready: ${issuer}`));
