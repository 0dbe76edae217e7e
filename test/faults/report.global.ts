/**
 * Global setup of the fault suite: starts from an empty set of result rows and, when every case
 * has run, prints the summary table (also written to test-artifacts/faults.md).
 */
import { clearFaultRows, writeFaultReport } from '../support/fault-report.js';

export default function setup(): () => void {
  clearFaultRows();
  return () => {
    const table = writeFaultReport();
    process.stdout.write(`\nalertgate fault-injection summary (test-artifacts/faults.md):\n\n${table}\n`);
  };
}
