/** Moved to store/cursor.ts (shared by every store); kept so existing imports resolve. */
export * from '../cursor.js';
