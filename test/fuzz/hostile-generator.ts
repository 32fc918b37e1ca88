import { gunzipSync, gzipSync } from 'node:zlib';
import { startExportTaskRecord } from '../support/cloudtrail-records';

/**
 * Cheap, seeded generation of hostile CloudTrail input for the fuzz run: records of every shape (positives, negatives,
 * wrong types, deep nesting, huge strings, invisible and control characters, random JSON values) and files around
 * them (plain, gzipped, JSON Lines, truncated, junk-followed, corrupted, hostile names). Every positive carries a
 * unique token, so the test can tell which alerted and how often.
 */
export class Random {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0 || 1;
  }
  /** mulberry32 */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(below: number): number {
    return Math.floor(this.next() * below);
  }
  chance(probability: number): boolean {
    return this.next() < probability;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

const NASTY_CHARACTERS = ['\u001b[2J', '\u0007', '\n', '\r', '\u202e', '\u200b', '\u00ad', '\u{e0100}', '\u2800', '\ud800', '\u0000', '😀', 'é', '"', '\\', '%', '{', ']'];

export function nastyText(random: Random, length: number): string {
  let text = '';
  while (text.length < length) text += random.chance(0.3) ? random.pick(NASTY_CHARACTERS) : String.fromCharCode(97 + random.int(26));
  return text;
}

/** A random JSON value, small unless `deep`; nesting is built iteratively (no recursion in the generator either). */
export function randomJson(random: Random, budget = 6): unknown {
  const kind = random.int(7);
  if (budget <= 0 || kind < 3) return random.pick<unknown>([null, true, false, 0, -1.5e300, 42, '', '-', 'none', nastyText(random, random.int(12))]);
  if (kind < 5) return Array.from({ length: random.int(4) }, () => randomJson(random, budget - 2));
  const object: Record<string, unknown> = {};
  for (let n = random.int(4); n > 0; n -= 1) object[random.pick(['__proto__', 'constructor', 'eventID', 'a', nastyText(random, 3)])] = randomJson(random, budget - 2);
  return object;
}

export function deepNesting(depth: number, random: Random): string {
  const open = random.chance(0.5) ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return `${open.repeat(depth)}${open === '[' ? '' : '1'}${close.repeat(depth)}`;
}

export interface GeneratedRecord {
  /** The record as JSON text (hostile parts spliced in as text, e.g. nesting deeper than JSON.stringify could write). */
  readonly text: string;
  /** Set for a record the packaged rule must alert on: a token found in its alert. */
  readonly positiveToken?: string;
  /** The record's token, positive or not (a negative carries it in its eventID). */
  readonly token: string;
  /** Whether the handler may accept it (eventID, eventSource and eventName non-empty strings). */
  readonly wellFormed: boolean;
}

let tokenCounter = 0;

/**
 * `fuzz-token-<seed>-<n>-<check>`: the check digits make a token that a bit flip in a damaged gzip turned into
 * another (a corrupted back-reference can copy other digits) recognisable as corrupted; a token of another seed is one too.
 */
export function isGenuineToken(token: string, seed: number): boolean {
  const match = /^fuzz-token-(\d+)-(\d+)-(\d+)$/.exec(token);
  // The seed too: a flip can change its digits alone.
  return match !== null && Number(match[1]) === seed && Number(match[3]) === tokenCheck(Number(match[2]));
}

function tokenCheck(n: number): number {
  return (n * 7919 + 104_729) % 99_991;
}

/** One record: about 1 in 12 a positive, the rest negatives and hostile shapes. */
export function generateRecord(random: Random): GeneratedRecord {
  const roll = random.int(12);
  tokenCounter += 1;
  const token = `fuzz-token-${random.seed}-${tokenCounter}-${tokenCheck(tokenCounter)}`;
  if (roll === 0 || roll === 1) {
    // A positive, possibly dressed up: hostile strings, deep nesting, no eventID.
    const record: Record<string, any> = startExportTaskRecord({ eventID: random.chance(0.9) ? `event-${token}` : undefined });
    record.requestParameters.exportTaskIdentifier = token;
    if (random.chance(0.3)) record.userAgent = nastyText(random, random.chance(0.05) ? 100_000 : 80);
    if (random.chance(0.3)) record.requestParameters.s3Prefix = nastyText(random, 20);
    if (random.chance(0.2)) record.errorCode = random.pick([null, '', '-', 'none']); // still successes
    let text = JSON.stringify(record);
    if (random.chance(0.15)) text = text.replace('"requestParameters":{', `"requestParameters":{"deep":${deepNesting(200 + random.int(4000), random)},`);
    return { text, positiveToken: token, token, wellFormed: record.eventID !== undefined };
  }
  if (roll < 7) {
    // A negative: a failed export, another call, a wrong type where a string belongs.
    const record: Record<string, any> = startExportTaskRecord({ eventID: `event-${token}` });
    switch (random.int(5)) {
      case 0:
        record.errorCode = random.pick(['AccessDenied', ' ', 'DBSnapshotNotFound', 0, true, ['x']]);
        break;
      case 1:
        record.eventName = random.pick(['DescribeDBSnapshots', 'StartExportTasks', 'startexporttask', '']);
        break;
      case 2:
        // (Not ['StartExportTask']: a field holding an array matches when an element does, as in Elasticsearch.)
        record.eventName = random.pick([123, ['DescribeDBSnapshots'], { name: 'StartExportTask' }, null]);
        break;
      case 3:
        record.eventSource = random.pick(['ec2.amazonaws.com', ['ec2.amazonaws.com'], 7]);
        break;
      default:
        record.errorMessage = nastyText(random, 30);
    }
    const wellFormed = typeof record.eventName === 'string' && record.eventName !== '' && typeof record.eventSource === 'string';
    return { text: JSON.stringify(record), token, wellFormed };
  }
  if (roll < 10) {
    // A random object, maybe with some CloudTrail-looking members.
    const value = randomJson(random) as Record<string, unknown>;
    const object = typeof value === 'object' && value !== null && !Array.isArray(value) ? value : { value };
    if (random.chance(0.5)) Object.assign(object, { eventSource: 'rds.amazonaws.com', eventName: random.pick(['StartExportTask', 'X']) });
    return { text: JSON.stringify(object), token, wellFormed: false };
  }
  // Not an object at all, or one nested deep.
  if (random.chance(0.5)) return { text: JSON.stringify(randomJson(random, 2)) ?? 'null', token, wellFormed: false };
  return { text: `{"eventSource":"rds.amazonaws.com","eventName":"StartExportTask","x":${deepNesting(100 + random.int(3000), random)}}`, token, wellFormed: false };
}

export interface GeneratedFile {
  readonly name: string;
  readonly bytes: Uint8Array;
  /** Tokens of the positives in it. */
  readonly positives: readonly string[];
  /** Damaged or not CloudTrail at all: must be named on stderr. */
  readonly bad: boolean;
  /** Intact: every positive in it must alert. */
  readonly intact: boolean;
  /**
   * A flipped bit that still inflates changed the text (its failed CRC is reported, the records read are scanned):
   * a negative may then read as a positive, or a record be copied, with its token intact.
   */
  readonly altered: boolean;
  /** Tokens of all its records. */
  readonly tokens: readonly string[];
  readonly records: number;
}

const HOSTILE_NAME_PARTS = ['\u001b]0;owned\u0007', '\n', '\u202e', '\u001b[2J', ' ', 'é'];

/** One file of `count` records, in a random container, maybe damaged, maybe with a hostile name. */
/** True when `bytes` inflate, whole and checked, to exactly `text`. */
function inflatesTo(bytes: Uint8Array, text: string): boolean {
  try {
    return gunzipSync(bytes).toString('utf8') === text;
  } catch {
    return false;
  }
}

export function generateFile(random: Random, index: number, count: number): GeneratedFile {
  const records = Array.from({ length: count }, () => generateRecord(random));
  const positives = records.flatMap((record) => (record.positiveToken ? [record.positiveToken] : []));
  const jsonLines = random.chance(0.35);
  const text = jsonLines ? `${records.map((record) => record.text).join('\n')}\n` : `{"Records":[${records.map((record) => record.text).join(',')}]}`;
  const gzip = random.chance(0.6);
  let bytes: Uint8Array = gzip ? gzipSync(text, { level: 1 }) : Buffer.from(text);
  const damage = gzip ? random.pick(['none', 'none', 'none', 'truncate', 'junk', 'flip']) : random.pick(['none', 'none', 'none', 'none', 'truncate', 'garbage']);
  let bad = false;
  let unchanged = false;
  if (damage === 'truncate') {
    bytes = bytes.subarray(0, Math.max(11, Math.floor(bytes.length * (0.2 + random.next() * 0.7))));
    bad = true;
  } else if (damage === 'junk') {
    bytes = Buffer.concat([bytes, Buffer.from(`junk${nastyText(random, 5)}`)]); // a warning, nothing lost
    bad = true;
  } else if (damage === 'flip') {
    const copy = Buffer.from(bytes);
    const at = 10 + random.int(copy.length - 18);
    copy[at] = (copy[at] as number) ^ (1 + random.int(255));
    bytes = copy;
    // A flip confined to the padding bits after the final deflate block changes nothing (`gzip -t` passes): that file
    // is intact, and nothing is to be reported about it.
    unchanged = inflatesTo(copy, text);
    bad = !unchanged;
  } else if (damage === 'garbage') {
    bytes = Buffer.concat([Buffer.from(nastyText(random, 40)), bytes]);
    bad = true;
  }
  const hostile = random.chance(0.15) ? random.pick(HOSTILE_NAME_PARTS) : '';
  const name = `f${String(index).padStart(4, '0')}${hostile}${jsonLines ? '.jsonl' : '.json'}${gzip ? '.gz' : ''}`;
  // Any record that is not an object, or a JSON Lines line that is one, is itself a problem named on stderr.
  return {
    name,
    bytes,
    positives,
    bad,
    intact: damage === 'none' || damage === 'junk' || unchanged,
    altered: damage === 'flip' && !unchanged,
    tokens: records.map((record) => record.token),
    records: count,
  };
}
