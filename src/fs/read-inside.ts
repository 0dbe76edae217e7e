/**
 * @module fs/read-inside
 * Read a file only when its path, every symbolic link followed (in the file's name and in its
 * folders'), stays inside a folder's real path. The config files are read from a checkout that
 * `validate` checks in CI on pull requests: a file that is a link to `/etc/shadow` or a CI secret
 * was read, and bits of it (its top-level keys, whole lines of colon-separated formats) were
 * printed in the error messages, into the CI log. Links that stay inside the folder, as a
 * Kubernetes ConfigMap mount's `<file> -> ..data/<file>`, `..data -> ..<timestamp>` are, are read.
 *
 * The links are followed here, one path component at a time, not by realpath: a link whose
 * target leaves the folder is refused by what it says, before anything there is looked at.
 * realpath followed it, so whether the target existed, was a folder or sat under a missing folder
 * gave different errors, which told a pull request's author what exists on the CI machine. Only
 * the folder's own real path is walked back through (`../config/x.yaml` from inside `config`,
 * or an absolute link through it): its folders are known real, without a look.
 *
 * The path read is the real path found, not the one given, so the links on the given path are
 * not followed a second time: one of them swapped between the walk and the read (the kubelet's
 * `..data`) leaves the read on the file checked, or fails it (ENOENT). It is no guard against
 * whoever can write inside the folder while alertgate reads (no O_NOFOLLOW, no check of the
 * opened file). What it guards against, a checkout's committed links, stays put.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { lstat, open, readlink } from 'node:fs/promises';
import path from 'node:path';

/** A link whose target leads outside the folder: where it is (relative to the folder) and what it says. */
export interface OutsideLink {
  link: string;
  target: string;
}

/**
 * Where a path inside the folder leads: its real path (it exists; `stats`, its lstat, when the walk
 * took one there, which a caller need not take again), or the link that leads
 * outside the folder (nothing there was looked at), or, for a path whose own last component is a
 * link that ends at nothing, what that link says (`dangling`).
 */
export type InsidePath = { real: string; stats?: Stats; via?: string; outside?: undefined; dangling?: undefined } | { outside: OutsideLink; real?: undefined; dangling?: undefined } | { dangling: string; real?: undefined; outside?: undefined };

/** The file's bytes, or why it was not read (as InsidePath). */
export type InsideRead =
  | { bytes: Buffer; outside?: undefined; dangling?: undefined; notFile?: undefined }
  | { outside: OutsideLink; bytes?: undefined; dangling?: undefined; notFile?: undefined }
  | { dangling: string; bytes?: undefined; outside?: undefined; notFile?: undefined }
  /** What the path is, when no regular file: a named pipe's read would wait forever for a writer. */
  | { notFile: string; bytes?: undefined; outside?: undefined; dangling?: undefined };

/** Linux's limit of links followed in one lookup (MAXSYMLINKS). */
const MAX_LINKS = 40;

type FsStep = { lstat: string; readlink?: undefined } | { readlink: string; lstat?: undefined };

function fsError(code: string, at: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${at}`), { code });
}

/**
 * The walk, as steps for a synchronous or an asynchronous driver: `rootReal` is the folder's real
 * path (absolute), `rel` a path below it. File system errors (ENOENT of a missing file, EIO…) are
 * thrown as they are; a link loop as ELOOP.
 */
function* walk(rootReal: string, rel: string, opts: WalkOptions): Generator<FsStep, InsidePath, Stats | string> {
  const rootParts = rootReal.split(path.sep).filter(Boolean);
  const givenParts = opts.givenRoot === undefined ? undefined : path.resolve(opts.givenRoot).split(path.sep).filter(Boolean);
  // The real position so far; above the folder only on its own path (rootParts' prefix). It
  // starts at `realBase`, known real: a folder of the load resolved once, not looked at per file.
  const at: string[] = [...rootParts, ...(opts.realBase ?? '').split(path.sep).filter(Boolean)];
  // The lstat of the position, when the last step took one there.
  let atStats: Stats | undefined;
  const pending = rel.split(path.sep).filter((c) => c !== '' && c !== '.');
  // The link each pending name came from (undefined: the given path's): the one whose text took
  // the walk out of the folder is the one to blame, not a harmless link followed before it.
  const from: (OutsideLink | undefined)[] = pending.map(() => undefined);
  let givenLeft = pending.length;
  let links = 0;
  let lastLink: OutsideLink | undefined;
  let leftBy: OutsideLink | undefined;
  let dangling: string | undefined;
  const outside = (): InsidePath => ({ outside: leftBy ?? lastLink ?? { link: rel, target: rel } });
  while (pending.length > 0) {
    const given = pending.length === givenLeft;
    const name = pending.shift()!;
    const origin = from.shift();
    if (given) givenLeft--;
    if (name === '.') continue;
    if (name === '..') {
      if (at.length === rootParts.length) leftBy = origin;
      at.pop();
      atStats = undefined;
      continue;
    }
    if (at.length < rootParts.length) {
      // Above the folder: only back down its own path, whose folders are real, unlooked at.
      if (name !== rootParts[at.length]) return outside();
      at.push(name);
      atStats = undefined;
      if (at.length === rootParts.length) leftBy = undefined;
      continue;
    }
    const here = path.sep + [...at, name].join(path.sep);
    let stats: Stats;
    try {
      stats = (yield { lstat: here }) as Stats;
    } catch (err) {
      // Through a file (`orders.yaml/x`) ends at nothing too, as ENOENT does: not the file system's failure.
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dangling !== undefined) return { dangling };
      throw err;
    }
    if (stats.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw fsError('ELOOP', rel);
      const target = (yield { readlink: here }) as string;
      opts.onLink?.(here, target);
      lastLink = { link: path.relative(rootReal, here), target };
      // The given path's own last name is a link: one that ends at nothing is `dangling`.
      if (given && givenLeft === 0) dangling = target;
      const parts = target.split(path.sep).filter((c) => c !== '');
      if (path.isAbsolute(target)) {
        // Into the folder by the path it was given as (itself a link, resolved by the caller).
        const viaGiven = givenParts !== undefined && givenParts.every((c, i) => parts[i] === c);
        at.splice(0, at.length, ...(viaGiven ? rootParts : []));
        if (viaGiven) parts.splice(0, givenParts.length);
        leftBy = viaGiven ? undefined : lastLink;
      }
      pending.unshift(...parts);
      from.unshift(...parts.map(() => lastLink));
      continue;
    }
    if (pending.length > 0 && !stats.isDirectory()) {
      if (dangling !== undefined) return { dangling };
      throw fsError('ENOTDIR', rel);
    }
    at.push(name);
    atStats = stats;
  }
  if (at.length < rootParts.length) return outside();
  const real = path.sep + at.join(path.sep);
  // What the read says if the file is gone by then (a `..data` swap, its old folder removed).
  const via = dangling ?? lastLink?.target;
  return { real, ...(atStats && { stats: atStats }), ...(via !== undefined && { via }) };
}

function runSync<T>(steps: Generator<FsStep, T, Stats | string>): T {
  let next = steps.next();
  while (!next.done) {
    const step = next.value;
    let value: Stats | string;
    try {
      value = step.lstat !== undefined ? lstatSync(step.lstat) : readlinkSync(step.readlink);
    } catch (err) {
      next = steps.throw(err);
      continue;
    }
    next = steps.next(value);
  }
  return next.value;
}

async function runAsync<T>(steps: Generator<FsStep, T, Stats | string>): Promise<T> {
  let next = steps.next();
  while (!next.done) {
    const step = next.value;
    let value: Stats | string;
    try {
      value = step.lstat !== undefined ? await lstat(step.lstat) : await readlink(step.readlink);
    } catch (err) {
      next = steps.throw(err);
      continue;
    }
    next = steps.next(value);
  }
  return next.value;
}

export interface WalkOptions {
  /** The folder as it was given (a link to `rootReal`), whose absolute links into it are inside too. */
  givenRoot?: string | undefined;
  /** A real folder below `rootReal` (relative to it) that `rel` is below, taken as it is. */
  realBase?: string | undefined;
  /**
   * Told each link followed (its absolute path) and what it said: a load re-reads them at its end
   * to know whether a `..data` it went through moved meanwhile (config/read-config-file.ts rootMoved).
   */
  onLink?: ((at: string, target: string) => void) | undefined;
}

/** Where `rel` (a path below `rootReal`, the folder's real path, or below `opts.realBase`) leads, as InsidePath. */
export function resolveInside(rootReal: string, rel: string, opts: WalkOptions = {}): Promise<InsidePath> {
  return runAsync(walk(rootReal, rel, opts));
}

/** resolveInside, synchronously. */
export function resolveInsideSync(rootReal: string, rel: string, opts: WalkOptions = {}): InsidePath {
  return runSync(walk(rootReal, rel, opts));
}

/**
 * `rel` (below `rootReal`, the folder's real path: resolved once by the caller for all the files
 * of a load, not once per file) read if it leads inside the folder. Errors of the file system
 * (EIO, …) are thrown as they are. A file gone between the walk and the read (ENOENT) after the
 * walk went through a link is that link pointing nowhere (`dangling`): a `..data` swapped and its
 * old folder removed, which the load's caller sees moved and loads again; not a failing disk.
 */
export async function readFileInside(rootReal: string, rel: string, opts: WalkOptions = {}): Promise<InsideRead> {
  const to = await resolveInside(rootReal, rel, opts);
  if (to.real === undefined) return to;
  let fh;
  try {
    fh = await open(to.real, READ_FLAGS);
  } catch (err) {
    return goneVia(to, err);
  }
  try {
    const s = await fh.stat();
    return s.isFile() ? { bytes: await fh.readFile() } : { notFile: kindOf(s) };
  } finally {
    await fh.close();
  }
}

/** readFileInside, synchronously (config/check-team-file.ts reads its files so, for speed). */
export function readFileInsideSync(rootReal: string, rel: string, opts: WalkOptions = {}): InsideRead {
  const to = resolveInsideSync(rootReal, rel, opts);
  if (to.real === undefined) return to;
  let fd: number;
  try {
    fd = openSync(to.real, READ_FLAGS);
  } catch (err) {
    return goneVia(to, err);
  }
  try {
    const s = fstatSync(fd);
    return s.isFile() ? { bytes: readFileSync(fd) } : { notFile: kindOf(s) };
  } finally {
    closeSync(fd);
  }
}

/**
 * Opened without waiting (a named pipe's open waits for a writer) and checked by what was opened,
 * not by a look before: a file swapped for a pipe in between is refused too.
 */
const READ_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK;

function kindOf(s: Stats): string {
  if (s.isFIFO()) return 'a named pipe (FIFO)';
  if (s.isDirectory()) return 'a folder';
  if (s.isSocket()) return 'a socket';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'a device';
  return 'no regular file';
}

function goneVia(to: { via?: string | undefined }, err: unknown): InsideRead {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT' && to.via !== undefined) return { dangling: to.via };
  throw err;
}
