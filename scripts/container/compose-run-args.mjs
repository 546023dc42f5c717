#!/usr/bin/env node
// The `run` arguments of one service of a Compose project, for hosts with a container engine but
// no Compose implementation (this CI machine has podman and no docker-compose/podman-compose).
// It reads the real Compose files, so the container test starts the services as they are written
// (image, command, env_file, environment, bind mounts, named volumes, tmpfs, read_only, cap_drop,
// security_opt, ports), on a network where each service is reachable by its name.
//
//   node compose-run-args.mjs --project NAME --network NET [--env-file FILE] FILE[,FILE...] SERVICE
//
// Prints one argument per line (after `run -d`), the image and command last. Override files are
// merged service by service, key by key (a later file's key replaces the earlier one: right for
// `command`, `image`, `environment` of deploy/compose/demo.yml; not Compose's full merge rules).
// Ports are published on 127.0.0.1 with an engine-chosen host port (`port` tells which), so
// the test never collides with what else runs on the host. Named volumes become
// <project>_<volume>, like Compose names them.
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import YAML from "yaml";

const argv = process.argv.slice(2);
const opt = (name) => { const i = argv.indexOf(name); if (i < 0) return undefined; const v = argv[i + 1]; argv.splice(i, 2); return v; };
const project = opt("--project") ?? "rcie";
const network = opt("--network");
const envFileOverride = opt("--env-file");
const [files, serviceName] = argv;
if (!files || !serviceName) { console.error("usage: compose-run-args.mjs --project P --network N [--env-file F] FILE[,FILE...] SERVICE"); process.exit(2); }

const fileList = files.split(",").map((f) => resolve(f));
const base = dirname(fileList[0]); // Compose resolves relative paths against the first file's directory
let svc = null;
for (const f of fileList) {
  const doc = YAML.parse(readFileSync(f, "utf8"));
  const s = doc?.services?.[serviceName];
  if (s) svc = { ...(svc ?? {}), ...s };
}
if (!svc) { console.error(`no service '${serviceName}' in ${files}`); process.exit(1); }
if (!svc.image) { console.error(`service '${serviceName}' has no image`); process.exit(1); }

const out = ["--name", `${project}-${serviceName}`];
if (network) out.push("--network", network, "--network-alias", serviceName);
const abs = (p) => (isAbsolute(p) ? p : resolve(base, p));
for (const f of [].concat(envFileOverride ? [envFileOverride] : svc.env_file ?? [])) {
  out.push("--env-file", abs(typeof f === "string" ? f : f.path));
}
const env = svc.environment ?? {};
for (const [k, v] of Array.isArray(env) ? env.map((e) => e.split(/=(.*)/s)) : Object.entries(env)) {
  out.push("-e", v === undefined || v === null ? k : `${k}=${v}`);
}
for (const v of svc.volumes ?? []) {
  const [src, dst, mode] = typeof v === "string" ? v.split(":") : [v.source, v.target, v.read_only ? "ro" : "rw"];
  const bind = src.startsWith(".") || src.startsWith("/") || src.startsWith("~");
  out.push("-v", `${bind ? abs(src) : `${project}_${src}`}:${dst}${mode ? `:${mode}` : ""}`);
}
for (const t of [].concat(svc.tmpfs ?? [])) out.push("--tmpfs", t);
if (svc.read_only) out.push("--read-only");
for (const c of svc.cap_drop ?? []) out.push("--cap-drop", c);
for (const c of svc.cap_add ?? []) out.push("--cap-add", c);
for (const s of svc.security_opt ?? []) out.push("--security-opt", s);
for (const p of svc.ports ?? []) {
  const target = String(typeof p === "object" ? p.target : p).split(":").pop().split("/")[0];
  out.push("-p", `127.0.0.1::${target}`);
}
if (svc.user) out.push("--user", String(svc.user));
if (svc.entrypoint) out.push("--entrypoint", [].concat(svc.entrypoint)[0]);
out.push(svc.image);
const cmd = svc.command === undefined ? [] : Array.isArray(svc.command) ? svc.command : svc.command.split(/\s+/);
out.push(...cmd.map(String));
process.stdout.write(out.join("\n") + "\n");
