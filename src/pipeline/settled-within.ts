/**
 * @module pipeline/settled-within
 * Waiting for something with a deadline: `p`'s own outcome if it settles within `ms`, `late`
 * otherwise. The timer is cleared as soon as either happens, so a wait that ended early keeps
 * nothing alive; `p` itself is not cancelled (the caller stops the work, if it must).
 */
export async function settledWithin<T, L>(p: Promise<T>, ms: number, late: L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<L>((resolve) => (timer = setTimeout(() => resolve(late), ms)));
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
