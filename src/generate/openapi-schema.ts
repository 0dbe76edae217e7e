/**
 * @module generate/openapi-schema
 * A small validator for the subset of OpenAPI v3 structural schemas that Kubernetes CRDs use
 * (type, properties, required, items, additionalProperties, enum, pattern, minLength, anyOf,
 * x-kubernetes-int-or-string), to check generated objects against a CRD's openAPIV3Schema
 * without a cluster. Stricter than the API server in one way, on purpose: a field the schema
 * does not declare is an error (the API server would silently prune it, so a typo would be lost).
 */

export interface OpenApiSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
  items?: OpenApiSchema;
  additionalProperties?: boolean | OpenApiSchema;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  anyOf?: OpenApiSchema[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [other: string]: unknown;
}

export interface SchemaViolation {
  /** JSON-path-like location, e.g. `spec.groups[0].rules[3].for`. */
  path: string;
  message: string;
}

export function validateAgainstSchema(value: unknown, schema: OpenApiSchema): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  check(value, schema, '', out);
  return out;
}

function check(value: unknown, schema: OpenApiSchema, at: string, out: SchemaViolation[]): void {
  const where = at === '' ? '(root)' : at;
  if (schema['x-kubernetes-int-or-string']) {
    if (!(typeof value === 'string' || Number.isInteger(value))) out.push({ path: where, message: 'must be an integer or a string' });
    return;
  }
  if (schema.anyOf && !schema.anyOf.some((s) => validateAgainstSchema(value, s).length === 0)) {
    out.push({ path: where, message: 'matches none of anyOf' });
  }
  if (schema.type && !hasType(value, schema.type)) {
    out.push({ path: where, message: `must be of type ${schema.type}, got ${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value}` });
    return;
  }
  if (schema.enum && !schema.enum.some((e) => e === value)) out.push({ path: where, message: `must be one of ${JSON.stringify(schema.enum)}` });
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) out.push({ path: where, message: `must be at least ${schema.minLength} characters` });
    if (schema.pattern !== undefined && !toRegExp(schema.pattern).test(value)) out.push({ path: where, message: `must match ${schema.pattern}` });
  }
  if (Array.isArray(value) && schema.items) value.forEach((v, i) => check(v, schema.items!, `${at}[${i}]`, out));
  if (isPlainObject(value)) checkObject(value, schema, at, where, out);
}

function checkObject(value: Record<string, unknown>, schema: OpenApiSchema, at: string, where: string, out: SchemaViolation[]): void {
  for (const r of schema.required ?? []) if (!(r in value)) out.push({ path: where, message: `missing required field "${r}"` });
  const declared = schema.properties !== undefined || schema.additionalProperties !== undefined;
  for (const [k, v] of Object.entries(value)) {
    const p = at === '' ? k : `${at}.${k}`;
    const prop = schema.properties?.[k];
    if (prop) check(v, prop, p, out);
    else if (typeof schema.additionalProperties === 'object') check(v, schema.additionalProperties, p, out);
    else if (declared && schema.additionalProperties !== true && !schema['x-kubernetes-preserve-unknown-fields']) {
      out.push({ path: p, message: 'unknown field (the API server would drop it)' });
    }
  }
}

function hasType(value: unknown, type: NonNullable<OpenApiSchema['type']>): boolean {
  switch (type) {
    case 'object':
      return isPlainObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Go (RE2) patterns as used in CRDs; a leading `(?i)` becomes JavaScript's `i` flag. */
function toRegExp(pattern: string): RegExp {
  const m = /^\^?\(\?i\)/.exec(pattern);
  if (m) return new RegExp(pattern.replace('(?i)', ''), 'i');
  return new RegExp(pattern);
}
