#!/usr/bin/env node
// Schema validation of the deployment files, run by .ci/run (before mvn verify) and by
// src/test/java/io/rcimport/exporter/deploy/DeploySchemaValidationTest.java.
//
//   node scripts/container/validate-deploy.mjs            # every file under deploy/
//   node scripts/container/validate-deploy.mjs FILE...    # just these (Compose or Kubernetes)
//
// Compose files (a YAML file under deploy/, outside deploy/kubernetes/, with a top-level
// `services` key) are checked against deploy/schemas/compose-spec.json (the Compose
// Specification's own schema, draft-07) with ajv. Every document of every *.yaml/*.yml under
// deploy/kubernetes/ is checked against Kubernetes' OpenAPI schemas (npm kubernetes-models) or
// prometheus-operator's CRD schemas (npm @kubernetes-models/prometheus-operator) by its
// apiVersion and kind; a kind with no schema here is an error, not a silent pass.
// Exit 0 when everything is valid, 1 otherwise (each error printed with its path), 2 on usage.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import Ajv from "ajv";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const deploy = join(repo, "deploy");
const kubeDir = join(deploy, "kubernetes");

function walk(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}
const isYaml = (p) => /\.ya?ml$/.test(p);
const rel = (p) => relative(process.cwd(), p) || p;

function parseAll(file) {
  const docs = YAML.parseAllDocuments(readFileSync(file, "utf8"));
  for (const d of docs) if (d.errors.length) throw new Error(`${rel(file)}: YAML: ${d.errors[0].message}`);
  return docs.map((d) => d.toJS()).filter((d) => d !== null && d !== undefined);
}

// ---- Compose -------------------------------------------------------------------------------
const composeSchema = JSON.parse(readFileSync(join(deploy, "schemas", "compose-spec.json"), "utf8"));
delete composeSchema.$schema; // "https://json-schema.org/draft-07/schema": ajv's default draft is 07
const ajv = new Ajv({ allErrors: true, strict: false });
const validateCompose = ajv.compile(composeSchema);

function checkCompose(file) {
  const [doc] = parseAll(file);
  if (validateCompose(doc)) return [];
  return validateCompose.errors.map((e) =>
    `${e.instancePath || "/"} ${e.message}${e.params && e.params.additionalProperty ? `: '${e.params.additionalProperty}'` : ""}`);
}

// ---- Kubernetes ----------------------------------------------------------------------------
async function modelFor(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const candidates = group === "monitoring.coreos.com"
    ? [`@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`]
    : [group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`];
  for (const spec of candidates) {
    try {
      const mod = await import(spec);
      if (mod[kind]) return mod[kind];
    } catch (e) {
      if (e.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED" && e.code !== "ERR_MODULE_NOT_FOUND") throw e;
    }
  }
  return null;
}

// Unknown fields. The schemas of kubernetes-models, like Kubernetes' own OpenAPI, do not say
// additionalProperties: false; the API server rejects unknown fields only through its field
// validation ("Strict", kubectl's default since 1.27). To fail on a misspelt field name as
// kubectl apply would, the document is validated through a Proxy that records every key the
// compiled schema reads (ajv reads each declared property, present or not, and iterates maps).
// A key that is present in an object whose schema read some keys, but never this one, is
// unknown. Objects whose schema reads nothing (free-form, x-kubernetes-preserve-unknown-fields)
// are not judged.
function tracked(root) {
  const reads = new Map(); // original object -> Set of keys read
  const proxies = new WeakMap();
  const wrap = (obj) => {
    if (obj === null || typeof obj !== "object") return obj;
    if (proxies.has(obj)) return proxies.get(obj);
    const seen = new Set();
    reads.set(obj, seen);
    const note = (k) => { if (typeof k === "string") seen.add(k); };
    const p = new Proxy(obj, {
      get(t, k, r) { note(k); return wrap(Reflect.get(t, k, r)); },
      has(t, k) { note(k); return Reflect.has(t, k); },
      getOwnPropertyDescriptor(t, k) { note(k); return Reflect.getOwnPropertyDescriptor(t, k); },
    });
    proxies.set(obj, p);
    return p;
  };
  const proxy = wrap(root);
  const unknownFields = () => {
    const out = [];
    const visit = (obj, path) => {
      if (obj === null || typeof obj !== "object") return;
      if (Array.isArray(obj)) { obj.forEach((v, i) => visit(v, `${path}/${i}`)); return; }
      const seen = reads.get(obj);
      for (const [k, v] of Object.entries(obj)) {
        if (seen && seen.size > 0 && !seen.has(k)) out.push(`${path}/${k}`);
        else visit(v, `${path}/${k}`);
      }
    };
    visit(root, "");
    return out;
  };
  return { proxy, unknownFields };
}

async function checkKubernetes(file) {
  const errors = [];
  let i = 0;
  for (const doc of parseAll(file)) {
    const where = `document ${i++} (${doc.kind ?? "?"} ${doc.metadata?.name ?? "?"})`;
    const Model = await modelFor(doc.apiVersion, doc.kind);
    if (!Model) { errors.push(`${where}: no schema for apiVersion '${doc.apiVersion}' kind '${doc.kind}'`); continue; }
    const { proxy, unknownFields } = tracked(doc);
    try {
      // The model's own validate() (Kubernetes' OpenAPI schema or the CRD's), run on a proxy of
      // the document that records which fields the schema looked at.
      Model.prototype.validate.call(proxy);
      for (const path of unknownFields()) errors.push(`${where}: ${path} is not a field of the schema (unknown field)`);
    } catch (e) {
      const details = Array.isArray(e.errors)
        ? e.errors.map((x) => `${x.instancePath || "/"} ${x.message}${x.params?.additionalProperty ? `: '${x.params.additionalProperty}'` : ""}`)
        : [e.message];
      for (const d of new Set(details)) errors.push(`${where}: ${d}`);
    }
  }
  return errors;
}

// ---- main ----------------------------------------------------------------------------------
const args = process.argv.slice(2);
if (args.includes("-h") || args.includes("--help")) {
  console.log("usage: validate-deploy.mjs [FILE...]   (default: every Compose and Kubernetes file under deploy/)");
  process.exit(2);
}
const files = args.length ? args.map((a) => resolve(a)) : walk(deploy).filter(isYaml);
let failed = 0, checked = 0;
for (const file of files) {
  const inKube = file.startsWith(kubeDir + sep) || (args.length && /^\s*apiVersion:/m.test(readFileSync(file, "utf8")));
  let kind, errors;
  try {
    if (inKube) { kind = "kubernetes"; errors = await checkKubernetes(file); }
    else {
      const [doc] = parseAll(file);
      if (!doc || typeof doc !== "object" || !("services" in doc)) {
        if (args.length) { console.log(`FAIL ${rel(file)}: neither a Compose file (no 'services') nor a Kubernetes manifest`); failed++; }
        continue; // deploy/compose/prometheus.yml etc.: not Compose files
      }
      kind = "compose"; errors = checkCompose(file);
    }
  } catch (e) { kind = kind ?? "yaml"; errors = [e.message]; }
  checked++;
  if (errors.length) {
    failed++;
    console.log(`FAIL ${rel(file)} (${kind})`);
    for (const e of errors) console.log(`     ${e}`);
  } else console.log(`ok   ${rel(file)} (${kind})`);
}
if (checked === 0) { console.log("FAIL no Compose or Kubernetes file found"); process.exit(1); }
console.log(failed ? `${failed} of ${checked} file(s) invalid` : `all ${checked} file(s) valid`);
process.exit(failed ? 1 : 0);
