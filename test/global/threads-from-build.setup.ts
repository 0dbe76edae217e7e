/**
 * Setup file (every test file): worker threads the code under test starts from src/ (the SQLite
 * writer, the delivery thread) run this test run's compiled copy of src/
 * (test/global/compile-src.global.ts) instead of registering tsx in every new thread
 * (threads/start-thread.ts runThreadsFromBuild).
 */
import { inject } from 'vitest';
import { runThreadsFromBuild } from '../../src/threads/start-thread.js';

runThreadsFromBuild(inject('compiledSrc'));
