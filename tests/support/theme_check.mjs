// Run Shopify's theme check on the theme app extension and print its offenses as JSON.
// Usage: node devtools/storefront/theme_check.mjs [extension dir]
// Needs `npm ci --prefix tools/theme-check` (tests/widget/test_theme_check.py runs it once).
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const require = createRequire(path.join(root, "tools", "theme-check", "package.json"));
const { themeCheckRun } = require("@shopify/theme-check-node");

const dir = path.resolve(process.argv[2] ?? path.join(root, "extensions", "klubb-widget"));
const { offenses } = await themeCheckRun(dir, undefined, () => {});
const severities = ["error", "warning", "info"];
const out = offenses.map((o) => ({
  check: o.check,
  severity: severities[o.severity] ?? String(o.severity),
  file: path.relative(dir, fileURLToPath(o.uri)),
  line: o.start?.line,
  message: o.message,
}));
process.stdout.write(JSON.stringify(out, null, 2) + "\n");
