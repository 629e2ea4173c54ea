// Generates TypeScript protobuf code from the repository's proto/ files (the same files the C# code
// is generated from). protoc comes from $PROTOC, the PATH, or the Grpc.Tools NuGet package that
// `dotnet restore` puts in the NuGet cache.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { homedir, arch } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const protoRoot = resolve(web, "..", "proto");
const out = join(web, "src", "gen");

function findProtoc() {
  if (process.env.PROTOC) return process.env.PROTOC;
  try {
    return execFileSync("sh", ["-c", "command -v protoc"], { encoding: "utf8" }).trim() || findInNuget();
  } catch {
    return findInNuget();
  }
}

function findInNuget() {
  const packages = process.env.NUGET_PACKAGES ?? join(homedir(), ".nuget", "packages");
  const tools = join(packages, "grpc.tools");
  const platform = arch() === "arm64" ? "linux_arm64" : "linux_x64";
  if (existsSync(tools)) {
    const versions = readdirSync(tools).sort().reverse();
    for (const version of versions) {
      const candidate = join(tools, version, "tools", platform, "protoc");
      if (existsSync(candidate)) return candidate;
    }
  }
  throw new Error("protoc not found: run `dotnet restore` first (it brings Grpc.Tools), install protobuf-compiler, or set PROTOC");
}

const sources = readdirSync(join(protoRoot, "purr", "v1")).filter(f => f.endsWith(".proto")).map(f => join(protoRoot, "purr", "v1", f));
const newest = Math.max(...sources.map(f => statSync(f).mtimeMs));
const marker = join(out, "purr", "v1", "frames_pb.ts");
if (existsSync(marker) && statSync(marker).mtimeMs >= newest && !process.argv.includes("--force")) {
  process.exit(0);
}

mkdirSync(out, { recursive: true });
execFileSync(findProtoc(), [
  `--plugin=protoc-gen-es=${join(web, "node_modules", ".bin", "protoc-gen-es")}`,
  `--es_out=${out}`,
  "--es_opt=target=ts,import_extension=none",
  `-I${protoRoot}`,
  ...sources,
], { stdio: "inherit" });
