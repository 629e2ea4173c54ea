// The browser client's source has no import cycle (type-only imports count too): each module can be read
// and tested after the ones it imports. There used to be one (app/client ⇄ app/contacts ⇄ app/rooms).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const sourceRoot = resolve(process.cwd(), "src");

function sources(directory: string): string[] {
  return readdirSync(directory).flatMap(name => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return name === "gen" ? [] : sources(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

function localImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/^\s*(?:import|export)\b[^"']*?from\s+["'](\.{1,2}\/[^"']+)["']/gm)) {
    const target = resolve(dirname(file), match[1]);
    if (target.startsWith(sourceRoot) && !target.includes(`${join(sourceRoot, "gen")}`)) found.push(`${target}.ts`);
  }
  return found;
}

test("the browser client's modules import each other without a cycle", () => {
  const graph = new Map(sources(sourceRoot).map(file => [file, localImports(file)]));
  const state = new Map<string, "visiting" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]) => {
    if (state.get(file) === "done") return;
    if (state.get(file) === "visiting") {
      cycles.push([...path.slice(path.indexOf(file)), file].map(f => relative(sourceRoot, f)).join(" → "));
      return;
    }
    state.set(file, "visiting");
    for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
    state.set(file, "done");
  };
  for (const file of graph.keys()) visit(file, []);
  assert.deepEqual(cycles, []);
  assert.ok(graph.size > 20, "the source files were found");
});

test("no screen file is larger than 300 lines", () => {
  const large = sources(join(sourceRoot, "ui"))
    .map(file => ({ file: relative(sourceRoot, file), lines: readFileSync(file, "utf8").split("\n").length }))
    .filter(f => f.lines > 300);
  assert.deepEqual(large, []);
});
