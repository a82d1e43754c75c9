// API microversions: read a service's version document and settle on the highest microversion
// ulm wants that the service supports, or explain that the service is too old.
import { MicroversionError } from './errors.js';

export interface VersionRange {
  /** Oldest and newest microversion the service serves, e.g. 2.1 and 2.93. */
  min: string;
  max: string;
}

export interface MicroversionNeeds {
  /** Below this the features ulm relies on are missing: refuse. */
  minimum: string;
  /** The newest microversion whose behaviour ulm knows; more is not asked for. */
  wanted: string;
}

export function parseMicroversion(version: string): [number, number] {
  const match = /^(\d+)\.(\d+)$/.exec(version.trim());
  if (!match) throw new MicroversionError(`"${version}" is not a microversion (MAJOR.MINOR)`);
  return [Number(match[1]), Number(match[2])];
}

export function compareMicroversions(left: string, right: string): number {
  const [leftMajor, leftMinor] = parseMicroversion(left);
  const [rightMajor, rightMinor] = parseMicroversion(right);
  return leftMajor - rightMajor || leftMinor - rightMinor;
}

/**
 * The range from a version document: Nova's `{"version": {...}}` at its versioned root, or a
 * `{"versions": [...]}` list (Placement's root) where the CURRENT entry counts.
 */
export function versionRangeOf(document: unknown): VersionRange | undefined {
  const body = document as { version?: Record<string, string>; versions?: Array<Record<string, string>> } | null;
  const entry = body?.version ?? body?.versions?.find((version) => version.status === 'CURRENT') ?? body?.versions?.[0];
  if (!entry) return undefined;
  const max = entry.max_version || entry.version;
  const min = entry.min_version;
  if (!max || !min) return undefined;
  return { min, max };
}

/** The microversion to use: `wanted` if served, else the service's newest, if that meets `minimum`. */
export function negotiateMicroversion(range: VersionRange, needs: MicroversionNeeds, service: string): string {
  if (compareMicroversions(range.max, needs.minimum) < 0) {
    throw new MicroversionError(`${service} serves microversions up to ${range.max}; ulm needs at least ${needs.minimum}: upgrade the service or its API configuration`);
  }
  if (compareMicroversions(needs.wanted, range.min) < 0) {
    throw new MicroversionError(`${service} serves microversions from ${range.min} on; ulm knows up to ${needs.wanted}`);
  }
  return compareMicroversions(range.max, needs.wanted) < 0 ? range.max : needs.wanted;
}
