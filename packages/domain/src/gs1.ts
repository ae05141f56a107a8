/**
 * GS1 identification keys (GS1 General Specifications §7.9): GTIN, GLN and SSCC all end in a
 * mod-10 check digit computed over the digits before it, weighting them 3, 1, 3, ... from the
 * right. Pure string functions, no zod, so the resolver and the browser can use them too.
 */

const DIGITS = /^[0-9]+$/;

/** The GS1 mod-10 check digit for `body` (the key without its check digit). */
export function gs1CheckDigit(body: string): number {
  if (!DIGITS.test(body)) throw new RangeError('a GS1 key body must be a non-empty string of digits');
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    // Position 0 from the right (the digit next to the check digit) weighs 3.
    const digit = body.charCodeAt(body.length - 1 - i) - 48;
    sum += digit * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** `body` followed by its check digit. */
export function withGs1CheckDigit(body: string): string {
  return body + String(gs1CheckDigit(body));
}

/** True when `code` is all digits (at least two) and its last digit is the right check digit. */
export function hasValidGs1CheckDigit(code: string): boolean {
  if (code.length < 2 || !DIGITS.test(code)) return false;
  return gs1CheckDigit(code.slice(0, -1)) === Number(code.at(-1));
}

function isGs1Key(code: string, length: number): boolean {
  return code.length === length && hasValidGs1CheckDigit(code);
}

/** GTIN-14 (AI 01): 14 digits with a valid check digit. */
export const isGtin14 = (code: string): boolean => isGs1Key(code, 14);

/** GLN (AI 414 / 417): 13 digits with a valid check digit. */
export const isGln13 = (code: string): boolean => isGs1Key(code, 13);

/** SSCC (AI 00): 18 digits with a valid check digit. */
export const isSscc18 = (code: string): boolean => isGs1Key(code, 18);

/**
 * Any valid GTIN-8, -12, -13 or -14, left-padded with zeros to the 14 digits that AI 01 and
 * GS1 Digital Link use; undefined when `gtin` is not a valid GTIN.
 */
export function toGtin14(gtin: string): string | undefined {
  if (![8, 12, 13, 14].includes(gtin.length) || !hasValidGs1CheckDigit(gtin)) return undefined;
  return gtin.padStart(14, '0');
}

/**
 * GS1 AI 10 (batch/lot) value: 1 to 20 characters of GS1 character set 82 (printable ASCII
 * without space, `#`, `$`, `@`, brackets, backslash, `^`, backtick, braces, `|` and `~`).
 */
export const GS1_LOT = /^[!"%-?A-Z_a-z]{1,20}$/;
