// Kubernetes schema checks for rendered manifests, built on the npm package kubernetes-models.
//
// Two layers, because kubernetes-models alone is not enough:
//  1. kubernetes-models' compiled JSON-schema validators: types, required fields, enums, formats.
//     They do not reject unknown fields (the OpenAPI schemas do not say additionalProperties: false).
//  2. A strict field check, like `kubectl --validate=strict` or server-side field validation: every
//     field must exist in the model. A misplaced field (say readOnlyRootFilesystem in the pod's
//     securityContext instead of the container's) is otherwise dropped by the API server with at
//     most a warning, and the hardening it was meant to add silently does not exist. The field lists
//     come from the same package's generated .d.ts model classes, which flatten inherited fields.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** Where the validators for an apiVersion live: [package, sub-path]. */
function modelLocation(apiVersion) {
  if (apiVersion === "monitoring.coreos.com/v1") {
    return ["@kubernetes-models/prometheus-operator", "monitoring.coreos.com/v1"];
  }
  if (apiVersion === "keda.sh/v1alpha1") {
    return ["@kubernetes-models/keda", "keda.sh/v1alpha1"];
  }
  return ["kubernetes-models", apiVersion]; // "v1" and "apps/v1" map to directories of the same name
}

export class KubernetesSchemas {
  constructor(nodeModulesDir) {
    this.nodeModules = nodeModulesDir;
    this.classCache = new Map();
  }

  /** Problems of one manifest (empty when it is valid); never throws for bad input. */
  async problems(doc) {
    if (!doc || typeof doc.apiVersion !== "string" || typeof doc.kind !== "string") {
      return ["not a Kubernetes object: apiVersion and kind are required"];
    }
    const [pkg, sub] = modelLocation(doc.apiVersion);
    const dts = path.join(this.nodeModules, pkg, sub, `${doc.kind}.d.ts`);
    const js = path.join(this.nodeModules, pkg, sub, `${doc.kind}.js`);
    if (!existsSync(js) || !existsSync(dts)) {
      return [`no schema known for ${doc.apiVersion} ${doc.kind} (unknown kind or API version)`];
    }
    const model = (await import(pathToFileURL(js).href))[doc.kind];
    const out = [];
    try {
      new model(doc).validate();
    } catch (e) {
      const errors = Array.isArray(e.errors) ? e.errors : null;
      if (errors) {
        for (const err of errors) {
          const where = err.instancePath || "/";
          const detail = err.params && err.params.allowedValues
            ? ` (allowed: ${err.params.allowedValues.join(", ")})` : "";
          out.push(`${where}: ${err.message ?? err.keyword}${detail}`);
        }
      } else {
        out.push(String(e.message || e));
      }
    }
    this.#strict(doc, { kind: "ref", file: dts }, "", out);
    return out;
  }

  #strict(value, type, where, out) {
    if (value === null || value === undefined) return;
    switch (type.kind) {
      case "ref": {
        const fields = this.#classFields(type.file);
        if (fields) this.#strictObject(value, fields, where, out);
        return;
      }
      case "object":
        this.#strictObject(value, type.fields, where, out);
        return;
      case "array":
        if (Array.isArray(value)) value.forEach((v, i) => this.#strict(v, type.of, `${where}/${i}`, out));
        return;
      case "map":
        if (typeof value === "object" && !Array.isArray(value)) {
          for (const [k, v] of Object.entries(value)) this.#strict(v, type.of, `${where}/${k}`, out);
        }
        return;
      default:
        return; // a scalar, union or alias such as IntOrString: layer 1 checks it
    }
  }

  #strictObject(value, fields, where, out) {
    if (typeof value !== "object" || Array.isArray(value)) return; // a type error, reported by layer 1
    for (const [key, v] of Object.entries(value)) {
      const t = fields.get(key);
      if (!t) {
        out.push(`${where}/${key}: unknown field "${key}" (Kubernetes would drop or reject it)`);
        continue;
      }
      this.#strict(v, t, `${where}/${key}`, out);
    }
  }

  /** Field name -> type of the model class declared in a .d.ts file, or null for aliases. */
  #classFields(file) {
    if (this.classCache.has(file)) return this.classCache.get(file);
    let fields = null;
    if (existsSync(file)) {
      const src = readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "");
      const imports = new Map();
      for (const m of src.matchAll(/import\s*\{([^}]*)\}\s*from\s*"([^"]+)"/g)) {
        for (const name of m[1].split(",").map((s) => s.trim()).filter(Boolean)) {
          imports.set(name.split(/\s+as\s+/).pop(), this.#resolveImport(file, m[2]));
        }
      }
      const start = src.search(/export declare class \w+/);
      if (start >= 0) {
        const open = src.indexOf("{", start);
        const body = src.slice(open + 1, matchingBrace(src, open));
        fields = parseMembers(body, imports);
      }
    }
    this.classCache.set(file, fields);
    return fields;
  }

  #resolveImport(fromFile, spec) {
    const base = spec.startsWith(".")
      ? path.resolve(path.dirname(fromFile), spec)
      : path.join(this.nodeModules, spec);
    return base.replace(/\.js$/, "") + ".d.ts";
  }
}

function matchingBrace(src, open) {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    if (src[i] === "{") depth++;
    else if (src[i] === "}" && --depth === 0) return i;
  }
  throw new Error("unbalanced braces in a model declaration");
}

/** Members `"name"?: Type;` of a class or inline object body; static members and constructors skipped. */
function parseMembers(body, imports) {
  const fields = new Map();
  let i = 0;
  while (i < body.length) {
    while (i < body.length && /[\s;]/.test(body[i])) i++;
    if (i >= body.length) break;
    let name = null;
    if (body[i] === '"') {
      const end = body.indexOf('"', i + 1);
      name = body.slice(i + 1, end);
      i = end + 1;
    }
    const end = endOfMember(body, i);
    if (name !== null) {
      const decl = body.slice(i, end).trim().replace(/^\?/, "").trim();
      if (decl.startsWith(":")) fields.set(name, parseType(decl.slice(1).trim(), imports));
    }
    i = end + 1;
  }
  return fields;
}

function endOfMember(body, i) {
  let depth = 0;
  for (; i < body.length; i++) {
    const c = body[i];
    if ("{<([".includes(c)) depth++;
    else if ("}>)]".includes(c) && !(c === ">" && body[i - 1] === "=")) depth--;
    else if (c === ";" && depth === 0) return i;
  }
  return body.length;
}

function parseType(text, imports) {
  const t = text.trim();
  let m;
  if ((m = /^Array<([\s\S]*)>$/.exec(t))) return { kind: "array", of: parseType(m[1], imports) };
  if (t.startsWith("{") && t.endsWith("}")) {
    const inner = t.slice(1, -1).trim();
    if ((m = /^\[key: string\]:\s*([\s\S]*?);?$/.exec(inner))) return { kind: "map", of: parseType(m[1], imports) };
    return { kind: "object", fields: parseMembers(inner, imports) };
  }
  if (/^\w+$/.test(t) && imports.has(t)) return { kind: "ref", file: imports.get(t) };
  return { kind: "leaf" };
}
