/**
 * @module testing/slack-limits
 * Slack's message limits, as the fake Slack enforces them: `msg_too_long` for text over 40,000
 * characters, `invalid_blocks` for more than 50 blocks or a block over its own limit (section
 * text 3,000, section fields 10 × 2,000, header 150, context 10 elements), and
 * `msg_blocks_too_long` for more than 12,000 characters of text in all blocks together (not
 * documented; reported from ~12,000 to 13,200: slackapi/bolt-js#2509, #2867).
 */

type Block = Record<string, unknown>;

/** Text of all blocks together beyond which the fake answers `msg_blocks_too_long`. */
export const BLOCKS_TEXT_LIMIT = 12_000;

const textOf = (t: unknown): string => (t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string' ? (t as { text: string }).text : '');

function blockProblem(b: Block, i: number): string | undefined {
  switch (b.type) {
    case 'header':
      if (textOf(b.text).length > 150) return `blocks[${i}].text must be less than 151 characters`;
      return undefined;
    case 'section': {
      if (textOf(b.text).length > 3000) return `blocks[${i}].text must be less than 3001 characters`;
      const fields = Array.isArray(b.fields) ? b.fields : [];
      if (fields.length > 10) return `blocks[${i}].fields must provide an array of no more than 10 items`;
      const long = fields.findIndex((f) => textOf(f).length > 2000);
      if (long >= 0) return `blocks[${i}].fields[${long}].text must be less than 2001 characters`;
      if (!b.text && fields.length === 0) return `blocks[${i}] must provide text or fields`;
      return undefined;
    }
    case 'context': {
      const elements = Array.isArray(b.elements) ? b.elements : [];
      if (elements.length > 10) return `blocks[${i}].elements must provide an array of no more than 10 items`;
      const long = elements.findIndex((e) => textOf(e).length > 3000);
      if (long >= 0) return `blocks[${i}].elements[${long}].text must be less than 3001 characters`;
      return undefined;
    }
    default:
      return undefined;
  }
}

/** Characters of text in `blocks`: headers' and sections' text, section fields, context elements. */
export function blocksTextLength(blocks: unknown[]): number {
  let n = 0;
  for (const raw of blocks) {
    const b = (raw ?? {}) as Block;
    n += textOf(b.text).length;
    for (const f of Array.isArray(b.fields) ? b.fields : []) n += textOf(f).length;
    for (const e of Array.isArray(b.elements) ? b.elements : []) n += textOf(e).length;
  }
  return n;
}

/** Slack's error code (and detail) for a message over its limits, or undefined when it is valid. */
export function slackLimitError(text: string, blocks: unknown[] | undefined): { error: string; detail?: string } | undefined {
  if (text.length > 40_000) return { error: 'msg_too_long' };
  if (!blocks) return text === '' ? { error: 'no_text' } : undefined;
  if (blocks.length > 50) return { error: 'invalid_blocks', detail: 'must provide an array of no more than 50 items' };
  for (let i = 0; i < blocks.length; i++) {
    const problem = blockProblem((blocks[i] ?? {}) as Block, i);
    if (problem) return { error: 'invalid_blocks', detail: problem };
  }
  if (blocksTextLength(blocks) > BLOCKS_TEXT_LIMIT) return { error: 'msg_blocks_too_long' };
  return undefined;
}
