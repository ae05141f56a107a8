/**
 * 统一社会信用代码 (unified social credit identifier, GB 32100-2015): 18 characters from the 31
 * of the code's alphabet (digits and capitals without I, O, Z, S, V): registering authority (1),
 * kind of entity (1), administrative region (6 digits), organisation code (9, the last its own
 * check character), and a check character over the first 17 (weights 3^i mod 31).
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const SHAPE = /^[0-9A-HJ-NP-RTUW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}$/;

/** The check character for the first 17 characters of a code. */
export function usccCheckCharacter(body: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += ALPHABET.indexOf(body[i]!) * WEIGHTS[i]!;
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

export function isUscc(code: string): boolean {
  return SHAPE.test(code) && usccCheckCharacter(code) === code[17];
}
