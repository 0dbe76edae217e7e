/**
 * @module cli/parse-options
 * node:util parseArgs (strict, no positionals), except that a single-valued option given twice
 * is refused: parseArgs keeps the last one, so `uptime --team a --team b` would silently report
 * on b only, and `generate --out x … --out y` write where the first flag did not say.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseOptions<const T extends Options>(argv: string[], options: T) {
  const { values, tokens } = parseArgs({ args: argv, options, strict: true as const, allowPositionals: false as const, tokens: true as const });
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const option = options[t.name];
    if (option?.type !== 'string' || option.multiple) continue;
    if (seen.has(t.name)) throw new Error(`--${t.name} given twice; it takes one value`);
    seen.add(t.name);
  }
  return values;
}
