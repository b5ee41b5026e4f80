// Bounds on what one helper call may build. Helm allocates until the machine gives out (`until 1000000000` is an 8 GB
// slice); in Node that ends in a fatal out-of-memory crash, so these helpers stop first with a message instead.

/** The most items one helper may put in a list (until, untilStep, seq, regexFindAll, regexSplit). */
export const MAX_LIST_ITEMS = 1_000_000;

/** The most UTF-8 bytes one helper may put in a string (repeat, randAlphaNum and friends, shuffle, regexReplaceAll). */
export const MAX_STRING_BYTES = 100 * 1024 * 1024;

/** Fails when a list of `items` items would be over MAX_LIST_ITEMS. */
export function checkListSize(items: number): void {
  if (items > MAX_LIST_ITEMS) {
    throw new Error(
      `a list of ${formatCount(items)} items is over portolan's limit of ${MAX_LIST_ITEMS} items per list (MAX_LIST_ITEMS)`,
    );
  }
}

/** Fails when a string of `bytes` UTF-8 bytes would be over MAX_STRING_BYTES. */
export function checkStringSize(bytes: number): void {
  if (bytes > MAX_STRING_BYTES) {
    throw new Error(
      `a string of ${formatCount(bytes)} bytes is over portolan's limit of ${MAX_STRING_BYTES} bytes (100 MiB) per string (MAX_STRING_BYTES)`,
    );
  }
}

function formatCount(count: number): string {
  return Number.isSafeInteger(count) ? String(count) : count.toExponential(3);
}
