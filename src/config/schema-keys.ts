/**
 * @module config/schema-keys
 * The field names a zod object schema takes at a path of a config file, so that an unknown field
 * (`severty`) can be answered with the field meant (`severity`) or the list of fields there,
 * instead of only "unknown field".
 */
import type { z } from 'zod';

/** What of a zod schema's definition is walked here (objects, arrays and their wrappers). */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Unwrap optional/default/nullable/pipe layers down to the schema that decides the shape. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 20; i++) {
    const d = defOf(s);
    const inner = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
    if (!inner) return s;
    s = inner;
  }
  return s;
}

/** The keys of the object schema at `path` (array indexes step into elements), or undefined when there is none. */
export function knownKeysAt(schema: z.ZodType, path: readonly (string | number)[]): string[] | undefined {
  let s = unwrap(schema);
  for (const seg of path) {
    const d = defOf(s);
    if (d.type === 'array' && typeof seg === 'number' && d.element) s = unwrap(d.element);
    else if (d.type === 'object' && d.shape && typeof seg === 'string' && Object.hasOwn(d.shape, seg)) s = unwrap(d.shape[seg]!);
    else return undefined;
  }
  const d = defOf(s);
  return d.type === 'object' && d.shape ? Object.keys(d.shape) : undefined;
}
