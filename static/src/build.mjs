// Builds static/build/: GOV.UK Frontend compiled with our settings, its JS and
// assets copied from the npm package (never pasted into the repository).
import { cpSync, mkdirSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const out = join(root, "static", "build");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, "govuk"), { recursive: true });

const result = sass.compile(join(root, "static", "src", "app.scss"), {
  loadPaths: [join(root, "node_modules", "govuk-frontend", "dist")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import", "global-builtin", "slash-div", "color-functions"],
});
writeFileSync(join(out, "app.css"), result.css);
copyFileSync(join(govuk, "govuk-frontend.min.js"), join(out, "govuk", "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images"), join(out, "govuk", "assets", "images"), { recursive: true });
copyFileSync(join(root, "static", "src", "app.mjs"), join(out, "app.mjs"));
console.log("built static/build (app.css, app.mjs, govuk/)");
