/**
 * @module cli/parse-options
 * The argument parser of every command: node:util parseArgs (strict, no positionals), with
 * messages in the CLI's words and one more rule. The arguments are first read as parseArgs reads
 * them, in order, and the first that is wrong is named:
 * - an argument the command does not take: `unexpected argument "X"`;
 * - a string option without its value, or followed by a flag (`--labels --json` forgot the value):
 *   `--X needs a value`, so "--json" is not taken for the labels;
 * - a single-valued option given twice: parseArgs keeps the last one, so `uptime --team a --team b`
 *   would silently report on b only, and `generate --out x … --out y` write where the first flag
 *   did not say.
 * Anything else strict parseArgs refuses (`--json=1` for a boolean) keeps its own message.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseOptions<const T extends Options>(argv: string[], options: T) {
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });
  const seen = new Set<string>();
  for (const t of tokens) {
    if (t.kind !== 'option' || !Object.hasOwn(options, t.name)) throw new Error(`unexpected argument "${argv[t.index]}"`);
    const option = options[t.name]!;
    if (option.type !== 'string') continue;
    if (t.value === undefined) throw new Error(`${t.rawName} needs a value`);
    // As strict parseArgs judges it: "-" alone is a value (stdin, by convention), "-x" a flag.
    if (!t.inlineValue && t.value.length > 1 && t.value.startsWith('-')) {
      throw new Error(`${t.rawName} needs a value, got the flag "${t.value}" (a value starting with "-" is written ${t.rawName}=${t.value})`);
    }
    if (option.multiple) continue;
    if (seen.has(t.name)) throw new Error(`${t.rawName} given twice; it takes one value`);
    seen.add(t.name);
  }
  return parseArgs({ args: argv, options, strict: true as const, allowPositionals: false as const }).values;
}
