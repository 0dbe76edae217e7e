/**
 * @module model/alert
 * The alert as it flows through the pipeline, independent of Alertmanager's wire format
 * (ingest/ maps the webhook body onto these types).
 */

export type Labels = Record<string, string>;
export type AlertStatus = 'firing' | 'resolved';

export interface Alert {
  fingerprint: string;
  status: AlertStatus;
  labels: Labels;
  annotations: Labels;
  /** RFC3339. */
  startsAt: string;
  /** RFC3339; null while firing (Alertmanager sends 0001-01-01T00:00:00Z). */
  endsAt: string | null;
  generatorURL: string;
}

/** One Alertmanager notification (a webhook body), normalised. */
export interface IncomingNotification {
  receiver: string;
  status: AlertStatus;
  groupKey: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalURL: string;
  truncatedAlerts: number;
  alerts: Alert[];
}
