// The two servers send the page's own content security policy as a header, read from
// index.html's <meta> (README "Content security policy"): `node --test
// tests/browser/serve.test.mjs`. scripts/serve is started on a free port.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { pagePolicy, serve } from "./server.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function freePort() {
  return new Promise((done) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

/** The CSP header of `url`, retried while the server starts (5 s at most). */
async function policyAt(url) {
  for (let i = 0; i < 50; i += 1) {
    try {
      const r = await fetch(url);
      await r.arrayBuffer();
      return r.headers.get("content-security-policy");
    } catch {
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  throw new Error(`nothing answered at ${url}`);
}

test("index.html holds the policy the issue asks for", async () => {
  const policy = await pagePolicy(root);
  assert.ok(policy, "no <meta http-equiv=Content-Security-Policy> in index.html");
  for (const d of ["default-src 'self'", "script-src 'self' 'wasm-unsafe-eval'",
    "object-src 'none'", "base-uri 'none'"]) assert.ok(policy.includes(d), `${d} in ${policy}`);
  assert.ok(!policy.includes("unsafe-inline") && !policy.includes("'unsafe-eval'"), policy);
});

test("the tests' server and scripts/serve send the <meta>'s policy on every file", async () => {
  const policy = await pagePolicy(root);
  const node = await serve(root);
  const port = await freePort();
  const python = spawn(join(root, "scripts", "serve"), [String(port), root],
    { stdio: "ignore" });
  try {
    for (const base of [node.url, `http://127.0.0.1:${port}`]) {
      for (const path of ["/", "/www/worker.js", "/www/style.css"]) {
        assert.equal(await policyAt(`${base}${path}`), policy, `${base}${path}`);
      }
    }
  } finally {
    python.kill();
    await node.close();
  }
});
