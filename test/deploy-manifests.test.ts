/**
 * Static checks of deploy/kubernetes (no cluster needed): the properties an operator relies on
 * for a highly available alertgate — two replicas spread over zones, the right probes, a
 * termination grace period that covers the drain, a disruption budget, non-root read-only
 * pods, and secrets referenced from Secrets, never written into the manifests — and that the
 * README's (and kustomization's) set-up commands create the Secrets and keys the pods read.
 * The cross-references are checked against the code: the variables set are ones config/env.ts
 * reads, in forms it accepts, and a real gateway started with them (Secret files and ConfigMaps
 * laid out as mounted) answers the probes, the ServiceMonitor's scrape and the Alertmanager
 * example's webhook, token included.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { main } from '../src/cli/main.js';
import { readSettings } from '../src/config/env.js';
import { openApiDocument } from '../src/http/openapi.js';
import { startFakes, startTestGateway, type Fakes, type TestGateway } from './support/gateway.js';

const DIR = fileURLToPath(new URL('../deploy/kubernetes', import.meta.url));

/** Parsed manifests are checked by shape, so plain records of anything. */
type Obj = Record<string, any>;

/** Parsed as Kubernetes (and Alertmanager) parse YAML: 1.1, where `0440` is octal, not 440. */
function load(file: string): Obj[] {
  const docs = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'), { version: '1.1' });
  for (const d of docs) if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
  return docs.map((d) => d.toJS() as Obj).filter((o) => o !== null);
}

const files = readdirSync(DIR).filter((f) => f.endsWith('.yaml'));
const objects = files.filter((f) => !f.endsWith('.example.yaml') && f !== 'kustomization.yaml').flatMap(load);
const ofKind = (kind: string) => {
  const found = objects.filter((o) => o.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
};
const configMap = (name: string) => {
  const found = objects.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === name);
  if (!found) throw new Error(`no ConfigMap ${name}`);
  return found;
};
const deployment = ofKind('Deployment');
const pod = deployment.spec.template.spec;
const container = pod.containers.find((c: Obj) => c.name === 'alertgate');
const env = new Map<string, Obj>(container.env.map((e: Obj) => [e.name, e]));
const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** `kubectl create secret generic NAME --from-file=KEY=… --from-literal=KEY=…` commands in `text` (wrapped over lines or `#` comments), as NAME → sorted KEYs. */
function secretsCreated(text: string): Record<string, string[]> {
  const flat = text.replace(/\\?\n#?\s*/g, ' ');
  const created: Record<string, string[]> = {};
  for (const [, name, args] of flat.matchAll(/create secret generic ([a-z0-9-]+)((?:\s+--from-(?:file|literal)=[\w.-]+=\S+)+)/g)) {
    created[name!] = [...args!.matchAll(/--from-(?:file|literal)=([\w.-]+)=/g)].map((m) => m[1]!).sort();
  }
  return created;
}

/** The Secrets and keys the alertgate pods read: env secretKeyRefs, and files under Secret mounts (`*_FILE`, `routingKeyFile:`). */
function secretsRead(): Record<string, string[]> {
  const read: Record<string, Set<string>> = {};
  const add = (name: string, key: string) => (read[name] ??= new Set()).add(key);
  for (const e of env.values()) if (e.valueFrom?.secretKeyRef) add(e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key);
  const routes = Object.values(configMap('alertgate-routes').data as Record<string, string>).join('\n');
  const files = [...[...env.values()].filter((e) => e.name.endsWith('_FILE')).map((e) => String(e.value)), ...[...routes.matchAll(/routingKeyFile: (\S+)/g)].map((m) => m[1]!)];
  for (const m of container.volumeMounts) {
    const secret = pod.volumes.find((v: Obj) => v.name === m.name)?.secret;
    if (!secret) continue;
    for (const file of files) if (file.startsWith(`${m.mountPath}/`)) add(secret.secretName, file.slice(m.mountPath.length + 1));
  }
  return Object.fromEntries(Object.entries(read).map(([name, keys]) => [name, [...keys].sort()]));
}

/** The routes and rules ConfigMaps as the pod sees them: files under `dir`/routes and `dir`/rules. */
async function writeConfigMaps(dir: string): Promise<void> {
  for (const sub of ['routes', 'rules']) {
    await mkdir(join(dir, sub));
    const data: Record<string, string> = configMap(`alertgate-${sub}`).data;
    for (const [file, text] of Object.entries(data)) await writeFile(join(dir, sub, file), text);
  }
}

/** The environment variable names `read` looks at: recorded on an environment where none is set. */
function namesRead(read: (env: NodeJS.ProcessEnv) => unknown): Set<string> {
  const names = new Set<string>();
  read(
    new Proxy({} as NodeJS.ProcessEnv, {
      get: (_, key) => {
        if (typeof key === 'string') names.add(key);
        return undefined;
      },
    }),
  );
  return names;
}

/**
 * The Deployment's plain `env` values, with each Secret-mounted path moved under `root`, where a
 * file of every key the pods read (secretsRead) holds `secretText(secret, key)`.
 */
async function podEnvWithSecretsUnder(root: string, secretText: (secret: string, key: string) => string): Promise<Record<string, string>> {
  for (const [secret, keys] of Object.entries(secretsRead())) {
    await mkdir(join(root, secret), { recursive: true });
    for (const key of keys) await writeFile(join(root, secret, key), `${secretText(secret, key)}\n`);
  }
  const mounts = (container.volumeMounts as Obj[]).flatMap((m) => {
    const secret = pod.volumes.find((v: Obj) => v.name === m.name)?.secret;
    return secret ? [{ from: `${m.mountPath}/`, to: join(root, secret.secretName) + '/' }] : [];
  });
  const values: Record<string, string> = {};
  for (const e of env.values()) {
    if (e.value === undefined) continue;
    const mount = mounts.find((m) => String(e.value).startsWith(m.from));
    values[e.name] = mount ? mount.to + String(e.value).slice(mount.from.length) : String(e.value);
  }
  return values;
}

/** A Kubernetes memory quantity (`256Mi`, `1G`, `500000`) in bytes. */
function bytes(quantity: string | number): number {
  const [, n, unit = ''] = /^(\d+(?:\.\d+)?)([KMGT]i?)?$/.exec(String(quantity)) ?? [];
  if (n === undefined) throw new Error(`not a memory quantity: ${quantity}`);
  const power = 'KMGT'.indexOf(unit[0] ?? '') + 1;
  return Number(n) * (unit.endsWith('i') ? 1024 : 1000) ** power;
}

describe('deploy/kubernetes', () => {
  it('applies a routes change on every replica by itself, not only on the one POST /-/reload reaches', () => {
    expect(deployment.spec.replicas).toBeGreaterThan(1);
    const comment = readFileSync(join(DIR, 'configmap-routes.yaml'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('#'))
      .join(' ');
    expect(comment).toMatch(/every pod applies/);
    expect(comment).toMatch(/CONFIG_RELOAD_INTERVAL/);
    expect(comment).toMatch(/reaches only one/);
    // The polling is on, and the kubelet updates the mounts: a subPath mount it never updates.
    const env = (pod.containers[0].env ?? []) as Obj[];
    expect(env.find((e) => e.name === 'CONFIG_RELOAD_INTERVAL')?.value ?? '30s').not.toBe('0');
    const configMounts = (pod.containers[0].volumeMounts as Obj[]).filter((m) => m.name === 'routes' || m.name === 'rules');
    expect(configMounts).toHaveLength(2);
    for (const m of configMounts) expect(m.subPath).toBeUndefined();
  });

  it('parses, and kustomization lists every object file', () => {
    const kustomization = load('kustomization.yaml')[0]!;
    const listed = new Set(kustomization.resources);
    expect(files.filter((f) => !listed.has(f) && f !== 'kustomization.yaml' && !f.endsWith('.example.yaml'))).toEqual([]);
    for (const o of objects) if (o.kind !== 'ConfigMap') expect(o.metadata?.name).toBe('alertgate');
    expect(objects.filter((o) => o.kind === 'ConfigMap').map((o) => o.metadata?.name).sort()).toEqual(['alertgate-routes', 'alertgate-rules']);
  });

  it('runs two replicas spread across zones, replacing pods one at a time without losing capacity', () => {
    expect(deployment.spec.replicas).toBe(2);
    const zone = pod.topologySpreadConstraints.find((t: Obj) => t.topologyKey === 'topology.kubernetes.io/zone');
    expect(zone).toMatchObject({ maxSkew: 1, labelSelector: { matchLabels: deployment.spec.selector.matchLabels } });
    expect(deployment.spec.strategy.rollingUpdate).toMatchObject({ maxUnavailable: 0 });
  });

  it('spreads each revision on its own, so a rollout over two zones does not end with both new pods in one', () => {
    // Old and new pods counted together allow zone A: 2 (one old, one new), zone B: 1 (old) at
    // each surge; the old pods go, and both new ones may be left in A.
    for (const t of pod.topologySpreadConstraints as Obj[]) {
      expect({ topologyKey: t.topologyKey, matchLabelKeys: t.matchLabelKeys }).toEqual({ topologyKey: t.topologyKey, matchLabelKeys: ['pod-template-hash'] });
    }
  });

  it('is ready on /readyz and alive on /healthz', () => {
    expect(container.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 'http' });
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    expect(container.ports).toContainEqual({ name: 'http', containerPort: Number(env.get('PORT')?.value) });
  });

  it('lets a new pod run a long schema migration (before it listens) without the startup probe killing it', () => {
    const probe = container.startupProbe;
    expect(probe.httpGet).toMatchObject({ path: '/healthz', port: 'http' });
    const budgetSeconds = probe.periodSeconds * probe.failureThreshold;
    expect(budgetSeconds).toBeGreaterThanOrEqual(600);
    expect(probe.periodSeconds).toBeLessThanOrEqual(5); // a healthy start is still seen at once
    expect(deployment.spec.progressDeadlineSeconds).toBeGreaterThan(budgetSeconds);
  });

  it('gives the preStop pause and the delivery drain time to finish before SIGKILL', () => {
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command.at(-1));
    const drainSeconds = Number(env.get('SHUTDOWN_GRACE_MS')?.value) / 1000;
    expect(preStopSeconds).toBeGreaterThan(0);
    expect(drainSeconds).toBeGreaterThan(0);
    // More than both: after the drain the process still hands back what it could not deliver and closes the store.
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + drainSeconds);
  });

  it("requests the memory README's Performance measures the process at (default settings), and limits it above that", () => {
    const row = README.split('\n').find((l) => l.startsWith('| RSS, 10,000 open groups') && l.includes('(default)'));
    // Every figure of the row's MB cells: the committed run, the target, the range over the machines, the run before.
    const cells = (row ?? '').split('|').filter((cell) => /\bMB\b/.test(cell));
    const measuredMB = cells.flatMap((cell) => [...cell.matchAll(/\d+(?:\.\d+)?/g)].map((m) => Number(m[0])));
    expect(measuredMB.length).toBeGreaterThan(5);
    const peakBytes = Math.max(...measuredMB) * 1e6;
    const { requests, limits } = container.resources;
    expect(bytes(requests.memory)).toBeGreaterThanOrEqual(peakBytes);
    expect(bytes(limits.memory)).toBeGreaterThan(bytes(requests.memory));
  });

  it('keeps one replica through voluntary disruptions', () => {
    const pdb = ofKind('PodDisruptionBudget');
    expect(pdb.spec.minAvailable).toBe(1);
    expect(pdb.spec.selector).toEqual(deployment.spec.selector);
  });

  it('runs as non-root on a read-only root filesystem with a writable /tmp', () => {
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    // The image's USER, by number (the kubelet checks runAsNonRoot against numbers only).
    const imageUser = [...readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8').matchAll(/^USER (\S+)$/gm)].at(-1)?.[1];
    expect(`${pod.securityContext.runAsUser}:${pod.securityContext.runAsGroup}`).toBe(imageUser);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
    const tmp = container.volumeMounts.find((m: Obj) => m.mountPath === '/tmp');
    expect(pod.volumes.find((v: Obj) => v.name === tmp?.name)?.emptyDir).toBeDefined();
  });

  it("lets the pod's user, and nobody else, read the Secret files", () => {
    // Secret files are root's; the container's processes have fsGroup as a supplementary group.
    expect(pod.securityContext.fsGroup).toBeGreaterThan(0);
    for (const v of (pod.volumes as Obj[]).filter((v) => v.secret)) {
      const mode: number = v.secret.defaultMode ?? 0o644;
      expect({ volume: v.name, groupRead: (mode & 0o040) !== 0, groupWriteOrOthers: mode & 0o027 }).toEqual({ volume: v.name, groupRead: true, groupWriteOrOthers: 0 });
    }
  });

  it('takes tokens and the database URL from Secrets, never inline', () => {
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(env.get('DATABASE_URL')?.valueFrom?.secretKeyRef?.name).toBeTruthy();
    const secretMounts = new Map<string, string>(
      container.volumeMounts
        .filter((m: Obj) => pod.volumes.find((v: Obj) => v.name === m.name)?.secret)
        .map((m: Obj) => [m.mountPath, m.name]),
    );
    for (const name of ['WEBHOOK_TOKEN', 'ADMIN_TOKEN', 'SLACK_TOKEN']) {
      expect(env.has(name)).toBe(false);
      const file = String(env.get(`${name}_FILE`)?.value);
      expect([...secretMounts.keys()].some((dir) => file.startsWith(`${dir}/`))).toBe(true);
    }
    // Routing keys too: the routes ConfigMap points at files, and holds no key itself.
    const routes = Object.values(configMap('alertgate-routes').data as Record<string, string>).join('\n');
    for (const path of routes.match(/routingKeyFile: (\S+)/g) ?? []) {
      const file = path.replace('routingKeyFile: ', '');
      expect([...secretMounts.keys()].some((dir) => file.startsWith(`${dir}/`))).toBe(true);
    }
    expect(routes).not.toMatch(/routingKey:/);
  });

  it('mounts the routes and rules ConfigMaps under ALERTGATE_CONFIG_DIR (rules hold the uptime checks reports read)', () => {
    for (const dir of ['routes', 'rules']) {
      const mount = container.volumeMounts.find((m: Obj) => pod.volumes.find((v: Obj) => v.name === m.name)?.configMap?.name === `alertgate-${dir}`);
      expect(mount?.mountPath).toBe(`${env.get('ALERTGATE_CONFIG_DIR')?.value}/${dir}`);
    }
  });

  it('ships ConfigMaps that alertgate validate accepts, and a rules file with an uptime check', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'alertgate-manifests-'));
    try {
      await writeConfigMaps(dir);
      const out: string[] = [];
      const code = await main(['validate'], { stdout: (t) => out.push(t), stderr: (t) => out.push(t), env: { ALERTGATE_CONFIG_DIR: dir }, cwd: dir });
      // The one warning: the routing key is a Secret mounted in the pod, not here.
      expect({ code, out: out.join('\n') }).toEqual({ code: 0, out: expect.stringMatching(/routingKeyFile: .* is not readable[^]*\nok: 2 teams \(1 warning\)$/) });
      expect(configMap('alertgate-rules').data['payments.yaml']).toMatch(/uptime:/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exposes http to the Service, the ServiceMonitor and the NetworkPolicy', () => {
    const service = ofKind('Service');
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(service.spec.ports).toContainEqual(expect.objectContaining({ name: 'http', targetPort: 'http' }));
    expect(ofKind('ServiceMonitor').spec.endpoints).toContainEqual(expect.objectContaining({ port: 'http', path: '/metrics' }));
    const policy = ofKind('NetworkPolicy');
    expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(policy.spec.ingress.flatMap((r: Obj) => r.ports.map((p: Obj) => p.port))).toContain('http');
  });

  it('shows Alertmanager reading the webhook token from a file', () => {
    const [am] = load('alertmanager-webhook.example.yaml');
    const hook = am!.receivers[0].webhook_configs[0];
    expect(hook.url).toMatch(/^http:\/\/alertgate\.monitoring\.svc:8080\/webhooks\/alertmanager$/);
    expect(hook.http_config.authorization).toEqual({ type: 'Bearer', credentials_file: expect.stringMatching(/^\/etc\/alertmanager\/secrets\//) });
  });

  it("README's and kustomization's kubectl commands create exactly the Secrets and keys the pods read (and Alertmanager's token)", () => {
    const pods = secretsRead();
    expect(Object.keys(pods).length).toBeGreaterThan(1);
    expect(secretsCreated(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'))).toEqual(pods);
    // Alertmanager's own Secret: /etc/alertmanager/secrets/<Secret>/<key> (the Prometheus Operator's mount).
    const [am] = load('alertmanager-webhook.example.yaml');
    const [, amSecret, amKey] = /^\/etc\/alertmanager\/secrets\/([^/]+)\/([^/]+)$/.exec(am!.receivers[0].webhook_configs[0].http_config.authorization.credentials_file)!;
    expect(secretsCreated(README)).toEqual({ ...pods, [amSecret!]: [amKey!] });
  });

  it('sets only variables alertgate reads (config/env.ts), each in a form it accepts', async () => {
    const known = namesRead((e) => readSettings(e, '/'));
    expect([...env.keys()].filter((name) => !known.has(name))).toEqual([]);
    const root = await mkdtemp(join(tmpdir(), 'alertgate-manifest-env-'));
    try {
      const values = await podEnvWithSecretsUnder(root, (secret, key) => `${secret}-${key}`);
      // readSettings refuses a malformed number, duration, URL or unreadable *_FILE at start.
      const settings = readSettings(values, '/');
      expect(settings).toMatchObject({
        port: Number(values.PORT),
        configDir: values.ALERTGATE_CONFIG_DIR,
        webhookTokens: ['alertgate-tokens-webhook-token'],
        adminTokens: ['alertgate-tokens-admin-token'],
        slackToken: 'alertgate-tokens-slack-token',
        shutdownGraceMs: Number(values.SHUTDOWN_GRACE_MS),
        historyRetentionMs: 90 * 24 * 3600 * 1000,
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  describe('against a gateway started with its settings', () => {
    let fakes: Fakes;
    let gateway: TestGateway;
    let root: string;
    const am = load('alertmanager-webhook.example.yaml')[0]!;
    const hook = am.receivers.find((r: Obj) => r.name === am.route.receiver).webhook_configs[0];
    /** The token both Secrets hold: alertgate's webhook-token and Alertmanager's, made from one file. */
    const token = 'manifest-webhook-token-3d7b';

    beforeAll(async () => {
      fakes = await startFakes();
      root = await mkdtemp(join(tmpdir(), 'alertgate-manifest-gw-'));
      const values = await podEnvWithSecretsUnder(root, (secret, key) => (key === 'webhook-token' ? token : `${secret}-${key}`));
      await writeConfigMaps(root);
      gateway = await startTestGateway(fakes, {
        ...values,
        // The harness' own values for these would win over the manifest's *_FILE.
        WEBHOOK_TOKEN: '',
        ADMIN_TOKEN: '',
        SLACK_TOKEN: '',
        ALERTGATE_CONFIG_DIR: root,
        // A free port on loopback, and no Thanos (the manifest's is a cluster name).
        PORT: '0',
        HOST: '127.0.0.1',
        THANOS_URL: '',
      });
    });
    afterAll(async () => {
      await gateway?.close();
      await fakes?.close();
      await rm(root, { recursive: true, force: true });
    });

    it('answers the probes on the paths they ask for, as the API describes them', async () => {
      for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
        const path: string = container[probe].httpGet.path;
        expect(Object.keys(openApiDocument.paths)).toContain(path);
        const res = await fetch(`${gateway.gw.url}${path}`);
        expect({ probe, path, status: res.status }).toEqual({ probe, path, status: 200 });
      }
    });

    it('serves alertgate metrics where the ServiceMonitor scrapes', async () => {
      const [endpoint] = ofKind('ServiceMonitor').spec.endpoints;
      const res = await fetch(`${gateway.gw.url}${endpoint.path}`);
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^alertgate_webhook_requests_total\{/m);
    });

    it("accepts the Alertmanager example's webhook at its URL path with the token from the Secret file", async () => {
      const path = new URL(hook.url).pathname;
      expect(Object.keys(openApiDocument.paths)).toContain(path);
      const body = readFileSync(new URL('./fixtures/alertmanager-v0.34-firing.json', import.meta.url), 'utf8');
      const post = (authorization?: string) =>
        fetch(`${gateway.gw.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) }, body });
      // Alertmanager sends `<type> <credentials_file's content, trimmed>`.
      expect((await post(`${hook.http_config.authorization.type} ${token}`)).status).toBe(202);
      // The token came from WEBHOOK_TOKEN_FILE: without it the webhook is refused.
      expect((await post()).status).toBe(401);
    });
  });

  it("README's SQLite variant is one pod, replaced with Recreate, its volume where the image keeps the database", () => {
    const start = README.indexOf('**On SQLite instead**');
    const paragraph = README.slice(start, README.indexOf('\n\n', start));
    expect(start).toBeGreaterThan(-1);
    const dockerfile = readFileSync(new URL('../Dockerfile', import.meta.url), 'utf8');
    const databaseUrl = /\bDATABASE_URL=(sqlite:(\S+))/.exec(dockerfile)!;
    const volume = /^VOLUME (\S+)$/m.exec(dockerfile)![1]!;
    expect(databaseUrl[2]!.startsWith(`${volume}/`)).toBe(true);
    expect(paragraph).toContain(`\`${volume}\``);
    expect(paragraph).toContain(`\`DATABASE_URL=${databaseUrl[1]}\``);
    for (const words of ['`replicas: 1`', 'type: Recreate', '`ReadWriteOnce`', 'no PodDisruptionBudget', `\`fsGroup: ${pod.securityContext.fsGroup}\``]) {
      expect(paragraph.replace(/\s+/g, ' ')).toContain(words);
    }
  });

  it('README names every object `kubectl apply -k` creates', () => {
    const start = README.indexOf('`kubectl apply -k deploy/kubernetes` creates');
    const paragraph = README.slice(start, README.indexOf('\n\n', start));
    expect(start).toBeGreaterThan(-1);
    const kinds = [...new Set(objects.map((o) => o.kind as string))];
    expect(kinds.filter((kind) => !new RegExp(`\\b${kind}\\b`).test(paragraph))).toEqual([]);
  });
});
