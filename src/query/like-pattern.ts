/** Escapes `\`, `%` and `_` so text matches itself literally inside a LIKE pattern (escape `\`). */
export function escapeLikeText(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/** The LIKE pattern for "contains `text`", with the text taken literally. */
export function containsPattern(text: string): string {
  return `%${escapeLikeText(text)}%`;
}
