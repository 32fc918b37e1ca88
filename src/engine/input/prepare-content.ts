import { inflateObject, type InflateNote } from './inflate';
import type { RawPrefilter } from './raw-prefilter';
import { prefilterContent, type PrefilteredContent } from './read-prefiltered';

/**
 * One input object made ready for the detector, the object's single pass through decompression: inflated within the
 * per-object limit (salvaging what a damaged stream held), then, when the object is complete and the rules allow it,
 * pre-filtered. Plain data, so a worker thread can compute it and post it back.
 */
export interface PreparedContent {
  /** What went wrong (errors) or was noticed (warnings) while inflating, for the caller to report with the name. */
  readonly notes: readonly InflateNote[];
  /** False when the content stops early: records are then salvaged up to the cut. */
  readonly complete: boolean;
  /** The pre-filter's result (complete content only). */
  readonly prefiltered?: PrefilteredContent;
  /** The inflated content, when it is to be parsed in full (no pre-filter result). */
  readonly bytes?: Uint8Array;
}

export async function prepareContent(content: Uint8Array, source: string, maxBytes: number, filter: RawPrefilter | undefined): Promise<PreparedContent> {
  const inflated = await inflateObject(content, maxBytes);
  if (inflated.complete && filter !== undefined) {
    const prefiltered = prefilterContent(inflated.bytes, source, filter);
    if (prefiltered !== undefined) return { notes: inflated.notes, complete: true, prefiltered };
  }
  return { notes: inflated.notes, complete: inflated.complete, bytes: inflated.bytes };
}
