/**
 * @module testing/slack-limits
 * Slack's documented message limits, as the fake Slack enforces them: `msg_too_long` for text
 * over 40,000 characters, `invalid_blocks` for more than 50 blocks or a block over its own limit
 * (section text 3,000, section fields 10 × 2,000, header 150, context 10 elements).
 */

type Block = Record<string, unknown>;

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

/** Slack's error code (and detail) for a message over its limits, or undefined when it is valid. */
export function slackLimitError(text: string, blocks: unknown[] | undefined): { error: string; detail?: string } | undefined {
  if (text.length > 40_000) return { error: 'msg_too_long' };
  if (!blocks) return text === '' ? { error: 'no_text' } : undefined;
  if (blocks.length > 50) return { error: 'invalid_blocks', detail: 'must provide an array of no more than 50 items' };
  for (let i = 0; i < blocks.length; i++) {
    const problem = blockProblem((blocks[i] ?? {}) as Block, i);
    if (problem) return { error: 'invalid_blocks', detail: problem };
  }
  return undefined;
}
