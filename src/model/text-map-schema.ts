/**
 * @module model/text-map-schema
 * The zod schema of a label or annotation map (name → text) that keeps a key named `__proto__`.
 *
 * zod's record skips such a key, unchecked (assigning it on the `{}` it builds would set the
 * prototype): a label of that name, valid in Prometheus (`label_replace` or Alertmanager's API
 * can set it), vanished from webhooks, with an object value as readily as a text one, and from
 * rule files, past the checks of names. Here the record checks every other key and this one is
 * checked with the same value schema, then written back as an own property in its place
 * (`Object.fromEntries` defines properties, it never calls the prototype setter): as JSON.parse
 * and both YAML parsers hold it. Maps without it are the record's output, unchanged.
 */
import { z } from 'zod';

const PROTO_KEY = '__proto__';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

export function textMapSchema(value: z.ZodType<string> = z.string()) {
  const record = z.record(z.string(), value);
  return z.unknown().transform((input, ctx): Record<string, string> => {
    const checked = record.safeParse(input);
    const issues = checked.success ? [] : [...checked.error.issues];
    const proto = isObject(input) && Object.hasOwn(input, PROTO_KEY) ? value.safeParse(input[PROTO_KEY]) : undefined;
    if (proto && !proto.success) issues.push(...proto.error.issues.map((i) => ({ ...i, path: [PROTO_KEY, ...i.path] })));
    if (issues.length > 0 || !checked.success) {
      // zod's own issues (their messages and paths), as the record alone reported them.
      for (const issue of issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
      return z.NEVER;
    }
    if (!proto?.success) return checked.data;
    return Object.fromEntries(Object.keys(input as object).map((k) => [k, k === PROTO_KEY ? proto.data : checked.data[k]!]));
  });
}
