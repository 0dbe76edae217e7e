/**
 * @module cli/run
 * Process entry point (bin/alertgate.js loads the compiled copy): run one command, set the exit code.
 */
import { tolerateClosedStdout } from './io.js';
import { main } from './main.js';

tolerateClosedStdout();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`alertgate: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
