// The SSL Labs rating guide's score tables as plain data: the grader (./ssllabs.ts) computes with
// them and the card (src/render/card/tls.ts) explains a score with the very same rows, so the
// explanation cannot drift from the grade. No imports but the model: safe for a renderer to read.
import type { GradeLetter, ProtocolName } from '../model/constants.js';

/** Category 1: protocol support; the score is (best + worst) / 2 over the accepted versions. */
export const PROTOCOL_SCORES: Readonly<Record<ProtocolName, number>> = {
  SSLv2: 0,
  SSLv3: 80,
  'TLSv1.0': 90,
  'TLSv1.1': 95,
  'TLSv1.2': 100,
  'TLSv1.3': 100,
};

/** Category 2: key exchange, by key or DH-parameter size: the weakest one sets the score. */
export const KEY_EXCHANGE_BANDS: ReadonlyArray<{ below: number; score: number }> = [
  { below: 512, score: 20 },
  { below: 1024, score: 40 },
  { below: 2048, score: 80 },
  { below: 4096, score: 90 },
  { below: Infinity, score: 100 },
];
/** The same bands for elliptic-curve sizes (RSA-equivalent strength: 224-bit EC ≈ 2048-bit RSA). */
export const EC_KEY_EXCHANGE_BANDS: ReadonlyArray<{ below: number; score: number }> = [
  { below: 110, score: 20 },
  { below: 123, score: 40 },
  { below: 163, score: 80 },
  { below: 225, score: 90 },
  { below: Infinity, score: 100 },
];
/** Anonymous key exchange scores 0; export key exchange (≤ 512 bits) 40. */
export const ANONYMOUS_KEY_EXCHANGE_SCORE = 0;
export const EXPORT_KEY_EXCHANGE_SCORE = 40;

/** Category 3: cipher strength by symmetric key bits; the score is (strongest + weakest) / 2. */
export const CIPHER_STRENGTH_BANDS: ReadonlyArray<{ below: number; score: number }> = [
  { below: 1, score: 0 },
  { below: 128, score: 20 },
  { below: 256, score: 80 },
  { below: Infinity, score: 100 },
];

export const CATEGORY_WEIGHTS = { protocol: 0.3, keyExchange: 0.3, cipherStrength: 0.4 } as const;

/** Numeric score → letter (Table 1 of the guide). */
export const LETTER_THRESHOLDS: ReadonlyArray<{ min: number; letter: GradeLetter }> = [
  { min: 80, letter: 'A' },
  { min: 65, letter: 'B' },
  { min: 50, letter: 'C' },
  { min: 35, letter: 'D' },
  { min: 20, letter: 'E' },
  { min: 0, letter: 'F' },
];

/** The score a size gets in a band table. */
export function band(bands: ReadonlyArray<{ below: number; score: number }>, size: number): number {
  return bands.find((b) => size < b.below)?.score ?? 100;
}
