// The profiles' data, read once from the package's data/ folder: Mozilla's guidelines JSON as
// published (vendored byte for byte) and secgrade's reading of NIST SP 800-52r2.
import { readFileSync } from 'node:fs';
import { shippedDataFile } from '../../data/paths.js';
import { mozillaProfiles, type MozillaGuidelines } from './mozilla.js';
import { nistProfile, type NistData } from './nist.js';
import type { ProfileDefinition, ProfileId } from './types.js';

export const MOZILLA_GUIDELINES_FILE = 'mozilla-server-side-tls-5.7.json';
export const NIST_FILE = 'nist-sp800-52r2.json';

let cached: Map<ProfileId, ProfileDefinition> | null = null;

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(shippedDataFile(name), 'utf8')) as T;
}

/** Every profile secgrade knows, by id. */
export function allProfiles(): Map<ProfileId, ProfileDefinition> {
  if (cached) return cached;
  const defs = [...mozillaProfiles(readJson<MozillaGuidelines>(MOZILLA_GUIDELINES_FILE)), nistProfile(readJson<NistData>(NIST_FILE))];
  cached = new Map(defs.map((d) => [d.id, d]));
  return cached;
}

/** The definitions of the profiles asked for, in the order asked. */
export function profileDefinitions(ids: readonly ProfileId[]): ProfileDefinition[] {
  if (!ids.length) return [];
  const all = allProfiles();
  return ids.map((id) => all.get(id)!);
}
