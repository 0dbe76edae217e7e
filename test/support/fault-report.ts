/**
 * The fault suite's summary table: each fault case records a row (alerts sent, delivered, lost,
 * duplicated); rows are files under test-artifacts/faults/ (test files run in separate workers),
 * and the table is written to test-artifacts/faults.md and stdout.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const ROWS = `${ARTIFACTS}faults/`;

export interface FaultRow {
  case: string;
  /** Distinct alerts the case sent. */
  alertsSent: number;
  /** Alerts whose final state reached every receiver they route to. */
  delivered: number;
  /** Alerts refused by a receiver for good and visible as `dead` (never silently gone). */
  dead: number;
  /** sent − delivered − dead: must be 0. */
  lost: number;
  /** Receiver calls made twice (Slack posts and thread replies, PagerDuty events). */
  duplicated: number;
  notes: string;
}

const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

export function recordFaultRow(row: FaultRow): void {
  mkdirSync(ROWS, { recursive: true });
  writeFileSync(`${ROWS}${slug(row.case)}.json`, JSON.stringify(row));
}

export function clearFaultRows(): void {
  rmSync(ROWS, { recursive: true, force: true });
}

export function readFaultRows(): FaultRow[] {
  let names: string[] = [];
  try {
    names = readdirSync(ROWS).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  return names.map((n) => JSON.parse(readFileSync(`${ROWS}${n}`, 'utf8')) as FaultRow);
}

export function faultTable(rows: FaultRow[]): string {
  const cell = (s: string | number) => String(s).replace(/\|/g, '\\|');
  const lines = [
    '| case | alerts sent | delivered | dead (visible) | lost | duplicated | notes |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...rows.map((r) => `| ${[r.case, r.alertsSent, r.delivered, r.dead, r.lost, r.duplicated, r.notes].map(cell).join(' | ')} |`),
  ];
  return `${lines.join('\n')}\n`;
}

/** Writes test-artifacts/faults.md from every recorded row and returns the table. */
export function writeFaultReport(): string {
  const rows = readFaultRows();
  const table = faultTable(rows);
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(`${ARTIFACTS}faults.md`, `# alertgate fault-injection suite\n\n${table}`);
  return table;
}
