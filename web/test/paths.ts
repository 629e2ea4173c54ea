import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** Tests run from web/; the repository root is one up and ../shared beside it. */
export const repositoryRoot = resolve(process.cwd(), "..");
export const sharedRoot = resolve(repositoryRoot, "..", "shared");
export const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8"));
