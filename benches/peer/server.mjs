// The peer of Portico's load benchmark (issue 6): better-auth with its admin plugin, 15
// `additionalFields` on the user (the fields of fields.json), a `databaseHooks.user.update.before`
// hook that applies the same rules as Portico's example field validator in plain JS, on SQLite
// through better-sqlite3 (WAL, synchronous=FULL: durable per request, like Portico), or on
// PostgreSQL through node-postgres when PEER_DATABASE_URL is set (synchronous_commit on).
//
// Env: PORT (default 3100), PEER_DB (default ./peer.db), PEER_DATABASE_URL (PostgreSQL instead
// of SQLite), PEER_ADMIN_EMAIL / PEER_ADMIN_PASSWORD (an admin user created at start, for the
// admin scenarios), BETTER_AUTH_SECRET.
// Started and seeded by `benches/load` (see docs/performance.md); not a product.

import { createServer } from "node:http";
import { readFileSync } from "node:fs";
import Database from "better-sqlite3";
import { betterAuth } from "better-auth";
import { admin } from "better-auth/plugins";
import { APIError } from "better-auth/api";
import { toNodeHandler } from "better-auth/node";

const port = Number(process.env.PORT || 3100);
const baseURL = `http://127.0.0.1:${port}`;
const spec = JSON.parse(readFileSync(new URL("./fields.json", import.meta.url), "utf8"));

// The store: SQLite (default) or PostgreSQL, with `run(sql, params)` for the admin set-up.
const store = process.env.PEER_DATABASE_URL ? await openPostgres() : openSqlite();
const db = store.db;

function openSqlite() {
  const db = new Database(process.env.PEER_DB || "./peer.db");
  db.pragma("journal_mode = WAL");
  // Explicitly: better-sqlite3 reopening a WAL database would otherwise run at NORMAL.
  db.pragma("synchronous = FULL");
  const sync = db.pragma("synchronous", { simple: true });
  if (sync !== 2) throw new Error(`synchronous is ${sync}, expected 2 (FULL)`);
  return {
    db,
    run: async (sql, params) => db.prepare(sql.replace(/\$\d+/g, "?")).run(...params),
    first: async (sql, params) => db.prepare(sql.replace(/\$\d+/g, "?")).get(...params),
    describe: () => ({ store: "sqlite", synchronous: sync, journal: db.pragma("journal_mode", { simple: true }) }),
    close: () => db.close(),
  };
}

async function openPostgres() {
  const { default: pg } = await import("pg");
  // As many connections as Portico's default pool gives one host.
  const db = new pg.Pool({ connectionString: process.env.PEER_DATABASE_URL, max: 8 });
  db.on("connect", (client) => client.query("SET synchronous_commit = on"));
  return {
    db,
    run: async (sql, params) => db.query(sql, params),
    first: async (sql, params) => (await db.query(sql, params)).rows[0],
    // Gives columns of `table` the PostgreSQL types of `types` (column -> type) where they differ.
    retype: async (table, types) => {
      const { rows } = await db.query(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
        [table],
      );
      for (const { column_name: column, data_type: type } of rows) {
        const want = types[column];
        if (want && type !== want)
          await db.query(`ALTER TABLE "${table}" ALTER COLUMN "${column}" TYPE ${want} USING "${column}"::${want}`);
      }
    },
    describe: () => ({ store: "postgres", synchronousCommit: "on" }),
    close: () => db.end(),
  };
}

// Portico's field types mapped onto better-auth column types: scalars stay scalars, structured
// values (dates with their format, texts, files, options, intervals) are JSON.
const columnType = { string: "string", integer: "number", float: "number" };
const additionalFields = Object.fromEntries(
  spec.fields.map((f) => [f.marker, { type: columnType[f.type] || "json", required: false, input: true }]),
);
const rules = Object.fromEntries(spec.fields.map((f) => [f.marker, f]));

// --- The example validator's rules (plugins/examples/field-validator), in plain JS ---------

function isEmpty(type, v) {
  if (v === null || v === undefined) return true;
  if (typeof v === "string") return v.trim() === "";
  if (Array.isArray(v)) return v.length === 0;
  if (["date", "dateTime", "time"].includes(type)) return !v.fullDate;
  if (type === "text" || type === "textWithHeader") return !v.plainValue && !v.htmlValue && !v.mdValue;
  return false;
}

function parseBound(b) {
  if (b === "now") return { at: Date.now() };
  if (/^\d{2}:\d{2}(:\d{2})?$/.test(b)) {
    const [h, m, s] = b.split(":").map(Number);
    return { timeOfDay: (h * 3600 + m * 60 + (s || 0)) * 1000 };
  }
  const at = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(b) ? `${b}T00:00:00Z` : /[zZ]|[+-]\d{2}:?\d{2}$/.test(b) ? b : `${b}Z`);
  if (Number.isNaN(at)) return null;
  return { at };
}

function checkDate(marker, iso, r, out) {
  const at = Date.parse(iso);
  if (typeof iso !== "string" || Number.isNaN(at)) {
    out.push({ marker, code: "invalid_date", message: `${iso} is not an ISO 8601 date` });
    return null;
  }
  for (const [key, cmp] of [["notBefore", (a, b) => a < b], ["notAfter", (a, b) => a > b]]) {
    if (r[key] === undefined) continue;
    const bound = parseBound(r[key]);
    if (!bound) {
      out.push({ marker, code: "invalid_settings", message: `${key} is not a date` });
      continue;
    }
    const value = bound.timeOfDay !== undefined ? at % 86_400_000 : at;
    const limit = bound.timeOfDay !== undefined ? bound.timeOfDay : bound.at;
    if (cmp(value, limit)) out.push({ marker, code: "date_out_of_range", message: `${iso} is out of range (${key} ${r[key]})` });
  }
  return at;
}

function checkLength(marker, s, r, out) {
  const n = [...s].length;
  if (r.minLength !== undefined && n < r.minLength) out.push({ marker, code: "too_short", message: `at least ${r.minLength} characters` });
  if (r.maxLength !== undefined && n > r.maxLength) out.push({ marker, code: "too_long", message: `at most ${r.maxLength} characters` });
  if (r.pattern !== undefined && !new RegExp(r.pattern).test(s)) out.push({ marker, code: "pattern_mismatch", message: `does not match ${r.pattern}` });
}

function checkItems(marker, list, r, out, defaultMax) {
  const max = r.maxItems ?? defaultMax;
  if (r.minItems !== undefined && list.length < r.minItems) out.push({ marker, code: "too_few_items", message: `at least ${r.minItems} items` });
  if (max !== undefined && list.length > max) out.push({ marker, code: "too_many_items", message: `at most ${max} items` });
}

function validateField(marker, type, v, r, out) {
  const mismatch = () => out.push({ marker, code: "type_mismatch", message: `not a ${type} value` });
  if (isEmpty(type, v)) {
    if (r.required) out.push({ marker, code: "required", message: "a value is required" });
    return;
  }
  switch (type) {
    case "string":
      if (typeof v !== "string") return mismatch();
      return checkLength(marker, v, r, out);
    case "integer":
    case "float": {
      if (typeof v !== "number" || (type === "integer" && !Number.isInteger(v))) return mismatch();
      if (!Number.isFinite(v)) return out.push({ marker, code: "not_a_number", message: "not finite" });
      if (r.min !== undefined && v < r.min) out.push({ marker, code: "out_of_range", message: `below ${r.min}` });
      if (r.max !== undefined && v > r.max) out.push({ marker, code: "out_of_range", message: `above ${r.max}` });
      return;
    }
    case "date":
    case "dateTime":
    case "time":
      if (typeof v !== "object" || typeof v.fullDate !== "string") return mismatch();
      checkDate(marker, v.fullDate, r, out);
      return;
    case "text":
    case "textWithHeader":
      if (typeof v !== "object" || Array.isArray(v)) return mismatch();
      checkLength(marker, String(v.plainValue ?? ""), r, out);
      if (type === "textWithHeader" && r.headerMaxLength !== undefined && [...String(v.header ?? "")].length > r.headerMaxLength)
        out.push({ marker, code: "too_long", message: `header at most ${r.headerMaxLength} characters` });
      return;
    case "image":
    case "groupOfImages":
    case "file": {
      if (!Array.isArray(v)) return mismatch();
      checkItems(marker, v, r, out, type === "image" ? 1 : undefined);
      v.forEach((file, i) => {
        const name = String(file?.filename ?? "");
        if (r.allowedExtensions) {
          const ext = name.includes(".") ? name.split(".").pop().toLowerCase() : "";
          if (!r.allowedExtensions.some((a) => a.replace(/^\./, "").toLowerCase() === ext))
            out.push({ marker, code: "extension_not_allowed", message: `file ${i + 1} (${name}): allowed extensions are ${r.allowedExtensions.join(", ")}` });
        }
        if (r.maxSize !== undefined && Number(file?.size) > r.maxSize)
          out.push({ marker, code: "file_too_large", message: `file ${i + 1} (${name}) is larger than ${r.maxSize} bytes` });
      });
      return;
    }
    case "radioButton":
      if (typeof v !== "object" || Array.isArray(v)) return mismatch();
      if (r.options && !r.options.map(String).includes(String(v.value))) out.push({ marker, code: "not_an_option", message: `${v.value} is not an option` });
      return;
    case "list":
    case "entity": {
      if (!Array.isArray(v)) return mismatch();
      checkItems(marker, v, r, out);
      for (const item of v) {
        const value = type === "list" ? item?.value : item;
        if (r.options && !r.options.some((o) => o === value || String(o) === String(value)))
          out.push({ marker, code: "not_an_option", message: `${value} is not an option` });
      }
      return;
    }
    case "timeInterval": {
      if (!Array.isArray(v)) return mismatch();
      checkItems(marker, v, r, out);
      for (const pair of v) {
        if (!Array.isArray(pair) || pair.length !== 2) return mismatch();
        const a = checkDate(marker, pair[0], r, out);
        const b = checkDate(marker, pair[1], r, out);
        if (a !== null && b !== null && a >= b) out.push({ marker, code: "interval_order", message: "an interval must start before it ends" });
      }
      return;
    }
    default:
      return mismatch();
  }
}

/// Every violation of the fields present in `data` (an update's changed columns).
function violations(data) {
  const out = [];
  for (const [key, value] of Object.entries(data)) {
    const f = rules[key];
    if (f) validateField(key, f.type, value, f.validators || {}, out);
  }
  return out;
}

// --- better-auth ------------------------------------------------------------------------------

export const auth = betterAuth({
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET || "bench-secret-bench-secret-bench-secret-0123",
  database: db,
  trustedOrigins: [baseURL],
  emailAndPassword: { enabled: true, minPasswordLength: 8 },
  user: { additionalFields },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  plugins: [admin()],
  databaseHooks: {
    user: {
      update: {
        before: async (data) => {
          const found = violations(data);
          if (found.length > 0) {
            // A before hook rejects only by throwing.
            throw new APIError("UNPROCESSABLE_ENTITY", {
              code: "VALIDATION_FAILED",
              message: `${found.length} field value(s) are invalid; nothing was written`,
              violations: found,
            });
          }
          return { data };
        },
      },
    },
  },
});

const ctx = await auth.$context;
await ctx.runMigrations();
// better-auth creates "number" as integer and "json" as jsonb on PostgreSQL: the first refuses a
// float (SQLite's INTEGER affinity keeps it as REAL), the second reorders object keys (SQLite
// keeps the JSON text as sent). double precision and json store the values as SQLite does.
if (store.retype) {
  await store.retype(
    "user",
    Object.fromEntries(
      spec.fields
        .filter((f) => f.type === "float" || !columnType[f.type])
        .map((f) => [f.marker, f.type === "float" ? "double precision" : "json"]),
    ),
  );
}

if (process.env.PEER_ADMIN_EMAIL) {
  const email = process.env.PEER_ADMIN_EMAIL;
  const exists = await store.first('SELECT id FROM "user" WHERE email = $1', [email]);
  if (!exists) {
    await auth.api.signUpEmail({ body: { email, password: process.env.PEER_ADMIN_PASSWORD, name: "Bench Admin" } });
  }
  await store.run('UPDATE "user" SET role = $1 WHERE email = $2', ["admin", email]);
}

const handler = toNodeHandler(auth);
const server = createServer((req, res) => {
  if (req.url === "/health") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"status":"ok"}');
    return;
  }
  handler(req, res);
});
server.keepAliveTimeout = 60_000;
server.listen(port, "127.0.0.1", () => {
  console.log(JSON.stringify({ listening: baseURL, ...store.describe() }));
});
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    server.close();
    store.close();
    process.exit(0);
  });
}
