/**
 * @module store/pseudo-group
 * Pseudo-groups: store records that are not Alertmanager groups but ride the same machinery —
 * per-channel storm state, per-team maintenance state, pre-rendered messages. Being groups, they
 * are read and written under the same lock as real groups (Store.updateGroups), shared by every
 * replica and every backend, and their messages use the same outbox and Slack message refs.
 */
import type { AlertStatus, Labels } from '../model/alert.js';
import type { ChangeKind, GroupSnapshot, OutboundMessage } from '../model/group.js';
import { pagerDutyDedupKey } from '../model/group-id.js';
import type { Target } from '../model/target.js';
import type { GroupRecord } from './store.js';

export interface PseudoGroup {
  id: string;
  team: string;
  groupKey: string;
  status: AlertStatus;
  /** Where the pseudo-group keeps its encoded state. */
  annotations?: Labels;
  targets?: Target[];
}

export function pseudoGroupRecord(p: PseudoGroup, prev: GroupRecord | undefined, now: Date): GroupRecord {
  const at = now.toISOString();
  return {
    id: p.id,
    team: p.team,
    groupKey: p.groupKey,
    receiver: 'alertgate',
    externalURL: '',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: p.annotations ?? {},
    status: p.status,
    alerts: [],
    notifiedHash: null,
    notifiedAt: prev?.notifiedAt ?? null,
    targets: p.targets ?? [],
    createdAt: prev?.createdAt ?? at,
    updatedAt: at,
  };
}

/** The snapshot of a pre-rendered message sent for a pseudo-group. */
export function messageSnapshot(p: PseudoGroup, kind: ChangeKind, message: OutboundMessage): GroupSnapshot {
  return {
    groupId: p.id,
    team: p.team,
    groupKey: p.groupKey,
    receiver: 'alertgate',
    status: p.status,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: '',
    alerts: [],
    change: { kind, added: [], resolved: [] },
    dedupKey: pagerDutyDedupKey(p.id),
    message,
  };
}
