/**
 * @module config/dashboards-schema
 * The spec of `dashboards/<team>.yaml`. Field-level checks live here; PromQL syntax and types and the
 * cross-team uniqueness of uids and titles are checked in config/load-team-specs.ts.
 *
 * @example
 * team: payments
 * namespace: payments-prod
 * folder: Payments
 * dashboards:
 *   - title: Checkout
 *     panels:
 *       - title: Request rate
 *         type: timeseries        # timeseries | stat | gauge | table
 *         unit: reqps
 *         expr: sum(rate(http_requests_total{job="checkout"}[5m]))
 */
import { z } from 'zod';
import { grafanaUnitProblem } from './grafana-units.js';
import { NAMESPACE } from './rules-schema.js';
import { TEAM_NAME, teamNameSchema } from './team-name.js';

export const PANEL_TYPES = ['timeseries', 'stat', 'gauge', 'table'] as const;
/** What Grafana accepts as a dashboard uid. */
export const DASHBOARD_UID = /^[A-Za-z0-9_-]{8,40}$/;
export const DASHBOARD_SLUG = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;

function checkUnit(unit: string, ctx: z.RefinementCtx): void {
  const problem = grafanaUnitProblem(unit);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}

const panel = z
  .strictObject({
    title: z.string().min(1),
    type: z.enum(PANEL_TYPES),
    expr: z.string().min(1, { message: 'PromQL expression is empty' }),
    /** A Grafana unit id (grafana-unit-ids.ts) or custom unit such as `suffix:req`. */
    unit: z.string().min(1).superRefine(checkUnit).optional(),
    legend: z.string().optional(),
    description: z.string().optional(),
    /** The value scale (Grafana's Min/Max): a gauge's ends, a timeseries' axis. Default: the values shown. */
    min: z.number().optional(),
    max: z.number().optional(),
    width: z.number().int().min(1).max(24, { message: 'width is in grid columns: 1 to 24' }).optional(),
    height: z.number().int().min(1).max(50).optional(),
  })
  .refine((p) => p.min === undefined || p.max === undefined || p.min < p.max, { message: 'max must be above min', path: ['max'] });

/**
 * Units with a scale of their own: Grafana gives a field in `percent` min 0 and max 100, and one
 * in `percentunit` 0 and 1 (fieldOverrides.ts, "Some units have an implied range").
 */
export const UNITS_WITH_SCALE: ReadonlySet<string> = new Set(['percent', 'percentunit']);

const dashboard = z.strictObject({
  title: z.string().min(1),
  /** Slug for the ConfigMap key and the derived uid; default: the title, slugified. */
  name: z.string().regex(DASHBOARD_SLUG, { message: `name must match ${DASHBOARD_SLUG.source}` }).optional(),
  uid: z.string().regex(DASHBOARD_UID, { message: 'uid must be 8 to 40 characters of A-Z a-z 0-9 - _' }).optional(),
  description: z.string().optional(),
  tags: z.array(z.string().min(1)).default([]),
  panels: z.array(panel).min(1, { message: 'a dashboard needs at least one panel' }),
});

/**
 * The folder becomes the ConfigMap's folder annotation, which the Grafana sidecar (k8s-sidecar)
 * takes for a directory: joined to its own, or as it is when absolute; Grafana, provisioning
 * folders from that file structure, names the folder after the directory's last part
 * (filepath.Base). So `Payments / EU` became a folder " EU", `/var/lib/x` wrote the boards
 * outside the sidecar's directory, and `.` or `..` put them in no folder or elsewhere.
 */
function checkFolderName(folder: string, ctx: z.RefinementCtx): void {
  if (folder === '.' || folder === '..') {
    ctx.addIssue({ code: 'custom', message: `folder ${JSON.stringify(folder)} is not a folder name: the Grafana sidecar would take it for a directory` });
  } else if (folder.includes('/')) {
    const parts = folder.split('/');
    const last = parts.filter((p) => p !== '').at(-1) ?? '';
    const suggestion = parts.map((p) => p.trim()).filter((p) => p !== '').join(' - ');
    ctx.addIssue({
      code: 'custom',
      message:
        `folder ${JSON.stringify(folder)} may not contain "/": the Grafana sidecar writes the boards into a directory of this name ` +
        `(an absolute one as it is), and Grafana names the folder after its last part (${JSON.stringify(last)}); write e.g. ${JSON.stringify(suggestion)}`,
    });
  }
}

export const dashboardsFileSchema = z.strictObject({
  team: teamNameSchema(),
  namespace: z.string().regex(NAMESPACE, { message: 'namespace must be a Kubernetes namespace name (lower case, digits, "-")' }),
  /** Grafana folder; default: the team name. */
  folder: z.string().min(1).superRefine(checkFolderName).optional(),
  dashboards: z.array(dashboard).default([]),
});

export type DashboardsFileSpec = z.infer<typeof dashboardsFileSchema>;

/** "Checkout & Basket" → "checkout-basket"; empty when the title has no ASCII letters or digits. */
export function slugify(title: string): string {
  return title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}
