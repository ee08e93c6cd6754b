#!/usr/bin/env node
// Keeps values.yaml and values.schema.json honest with each other:
//  1. every object in the schema says additionalProperties explicitly; it is false except for typed
//     maps and the few Kubernetes pass-through objects marked with a $comment (and `global`);
//  2. every value the chart defines (schema properties outside the Kubernetes-shaped definitions)
//     is present in values.yaml, and every key of values.yaml is in the schema;
//  3. every key of values.yaml has a comment (on the line(s) above it or at the end of its line).
//
//   node lint-values.mjs <chart dir>          exit 0 when clean, 1 otherwise
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isMap, isSeq, parseDocument } from "yaml";

// Definitions shaped after Kubernetes objects: users may set any of their fields, so values.yaml
// need not list every one of them.
const KUBERNETES_SHAPES = new Set([
  "podSecurityContext", "containerSecurityContext", "seccompProfile", "resources", "resourceList",
  "toleration", "affinity", "topologySpreadConstraint", "labelSelector", "envVar", "keyRef",
]);

export function lintChart(chartDir) {
  const schema = JSON.parse(readFileSync(path.join(chartDir, "values.schema.json"), "utf8"));
  const text = readFileSync(path.join(chartDir, "values.yaml"), "utf8");
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return [`values.yaml: ${doc.errors[0].message}`];
  const problems = [];
  const deref = (node) => {
    if (node && node.$ref) {
      const name = node.$ref.replace("#/definitions/", "");
      return { node: schema.definitions[name], name };
    }
    return { node, name: null };
  };

  // 1. Closed objects.
  const seen = new Set();
  const checkClosed = (node, where) => {
    if (!node || typeof node !== "object" || seen.has(node)) return;
    seen.add(node);
    const isObject = node.type === "object" || (Array.isArray(node.type) && node.type.includes("object")) || node.properties;
    if (isObject) {
      if (!("additionalProperties" in node)) {
        problems.push(`values.schema.json ${where}: object without an explicit additionalProperties`);
      } else if (node.additionalProperties === true && !node.$comment) {
        problems.push(`values.schema.json ${where}: additionalProperties is true without a $comment saying why`);
      }
    }
    for (const [k, v] of Object.entries(node.properties ?? {})) checkClosed(v, `${where}.${k}`);
    for (const [k, v] of Object.entries(node.definitions ?? {})) checkClosed(v, `#/definitions/${k}`);
    if (node.items) checkClosed(node.items, `${where}[]`);
    if (node.additionalProperties && typeof node.additionalProperties === "object") checkClosed(node.additionalProperties, `${where}.*`);
  };
  checkClosed(schema, "");

  // 2. Schema <-> values.yaml.
  const values = doc.toJSON() ?? {};
  const compare = (schemaNode, value, where, kubernetesShape) => {
    const { node, name } = deref(schemaNode);
    if (!node || !node.properties || value === null || typeof value !== "object" || Array.isArray(value)) return;
    const shape = kubernetesShape || KUBERNETES_SHAPES.has(name);
    for (const [k, v] of Object.entries(node.properties)) {
      if (where === "" && k === "global") continue;
      if (!(k in value)) {
        if (!shape) problems.push(`values.yaml: ${where}${k} is in the schema but missing from values.yaml (document it there)`);
        continue;
      }
      compare(v, value[k], `${where}${k}.`, shape);
    }
    if (node.additionalProperties === false) {
      for (const k of Object.keys(value)) {
        if (!(k in node.properties)) problems.push(`values.yaml: ${where}${k} is not in values.schema.json`);
      }
    }
  };
  compare(schema, values, "", false);

  // 3. Comments on every key (maps only; items of lists are examples of Kubernetes objects).
  const checkComments = (map, where) => {
    map.items.forEach((pair, i) => {
      const key = String(pair.key?.value ?? pair.key);
      const documented = pair.key?.commentBefore || pair.commentBefore || pair.key?.comment
        || (i === 0 && map.commentBefore) || pair.value?.comment
        || (isMap(pair.value) && pair.value.items.length === 0 && pair.value.comment);
      if (!documented) problems.push(`values.yaml: ${where}${key} has no comment`);
      if (isMap(pair.value)) checkComments(pair.value, `${where}${key}.`);
    });
  };
  if (isMap(doc.contents)) checkComments(doc.contents, "");
  else problems.push("values.yaml: the top level is not a map");
  return problems;
}

/** Broken copies of the real files must be caught: proves each rule can fail. */
function selfTest(chartDir) {
  const schema = readFileSync(path.join(chartDir, "values.schema.json"), "utf8");
  const values = readFileSync(path.join(chartDir, "values.yaml"), "utf8");
  const cases = [
    ["an undocumented key", schema, values.replace(/ *# Pod count when autoscaling is off\.\n/, ""), /replicas has no comment/],
    ["a value missing from values.yaml", schema, values.replace(/  # Log level: TRACE.*\n  logLevel: INFO\n/, ""), /logLevel is in the schema but missing/],
    ["an open object", schema.replace('"additionalProperties": false', '"additionalProperties": true'), values, /additionalProperties is true without a \$comment/],
  ];
  let ok = true;
  for (const [name, s, v, expected] of cases) {
    const dir = mkTemp();
    writeFile(path.join(dir, "values.schema.json"), s);
    writeFile(path.join(dir, "values.yaml"), v);
    const problems = lintChart(dir);
    rmSync(dir, { recursive: true, force: true });
    const passed = problems.some((p) => expected.test(p));
    console.log(`${passed ? "ok  " : "FAIL"} self-test: ${name}${passed ? "" : ` -> ${JSON.stringify(problems)}`}`);
    ok &&= passed;
  }
  return ok;
}

const mkTemp = () => mkdtempSync(path.join(os.tmpdir(), "tl-lint-"));
const writeFile = (f, s) => writeFileSync(f, s);

if (process.argv[1] && path.resolve(process.argv[1]).endsWith("lint-values.mjs")) {
  const args = process.argv.slice(2);
  const selfTesting = args[0] === "--self-test";
  const chartDir = selfTesting ? args[1] : args[0];
  if (!chartDir) {
    console.error("usage: lint-values.mjs [--self-test] <chart dir>");
    process.exit(2);
  }
  if (selfTesting) {
    process.exitCode = selfTest(chartDir) ? 0 : 1;
  } else {
    const problems = lintChart(chartDir);
    for (const p of problems) console.log(`FAIL ${p}`);
    if (problems.length === 0) console.log("ok   values.yaml and values.schema.json agree; every key is commented; every object is closed");
    process.exitCode = problems.length === 0 ? 0 : 1;
  }
}
