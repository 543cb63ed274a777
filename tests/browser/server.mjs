// A static file server for the repo root on 127.0.0.1 and a free port (node's http module).
// It sends the content security policy of the root's index.html (its <meta http-equiv>, the
// one copy) as a header on every response, as a host that sets headers would: the header
// also covers the compute worker, which a <meta> in the page does not.

import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize, sep } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".md": "text/plain; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
};

/** The policy in `root`/index.html's `<meta http-equiv="Content-Security-Policy">`, or null. */
export async function pagePolicy(root) {
  const html = await readFile(join(root, "index.html"), "utf8").catch(() => "");
  const meta = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html);
  return meta ? meta[1] : null;
}

/**
 * Serves `root`; resolves to {url, close}. With `revalidate`, responses carry an ETag and
 * `no-cache` (the browser keeps them and asks again: 304 when unchanged), as a static host
 * does; otherwise `no-store`. With `header: false` the policy is left to the page's <meta>
 * (a static host that sets no headers).
 */
export async function serve(root, { revalidate = false, header = true } = {}) {
  const policy = header ? await pagePolicy(root) : null;
  const csp = policy ? { "content-security-policy": policy } : {};
  // 64 KiB of request head: the hostile-URL corpus sends 20k-character values
  const server = createServer({ maxHeaderSize: 64 * 1024 }, async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end("forbidden");
        return;
      }
      if (path.endsWith("/")) file = join(file, "index.html");
      const body = await readFile(file);
      const type = TYPES[extname(file)] ?? "application/octet-stream";
      if (!revalidate) {
        res.writeHead(200, { "content-type": type, "cache-control": "no-store", ...csp })
          .end(body);
        return;
      }
      const etag = `"${createHash("sha1").update(body).digest("hex")}"`;
      const headers = { "content-type": type, "cache-control": "no-cache", etag, ...csp };
      if (req.headers["if-none-match"] === etag) res.writeHead(304, headers).end();
      else res.writeHead(200, headers).end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
