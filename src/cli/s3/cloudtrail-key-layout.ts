/**
 * Where CloudTrail puts its files in S3, and which key prefixes a scan must list to see exactly the files it wants.
 * Pure: the only outside access is the injected folder lister, so prefix planning is testable without S3.
 *
 *   [trail-prefix/]AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.json.gz            single account
 *   [trail-prefix/]AWSLogs/<o-org-id>/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>.json.gz  organization
 *
 * Next to `CloudTrail/` sit `CloudTrail-Digest/` (integrity hash chains) and `CloudTrail-Insight/` (Insights
 * events), which hold no management events and are never listed.
 */

/** What a scan keeps; dates are `YYYY-MM-DD`, inclusive, in UTC like CloudTrail's folder names. */
export interface KeyFilters {
  readonly since?: string;
  readonly until?: string;
  readonly accounts?: readonly string[];
  readonly regions?: readonly string[];
}

/** Lists the immediate sub-folders of a prefix (S3 ListObjectsV2 with Delimiter '/'): full prefixes ending in '/', in key order. */
export type FolderLister = (prefix: string) => AsyncIterable<string>;

/** CloudTrail started in November 2013: an open `--until` range starts there. */
export const FIRST_CLOUDTRAIL_DAY = '2013-01-01';

const ACCOUNT = /^\d{12}$/;
const ORGANIZATION = /^o-[a-z0-9]{10,32}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isValidDate(text: string): boolean {
  const match = DATE.exec(text);
  if (!match) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

/** Keys under `CloudTrail-Digest/` or `CloudTrail-Insight/`: no management events, skipped by name. */
export function skippedKeyKind(key: string): 'digest' | 'insight' | undefined {
  if (/(^|\/)CloudTrail-Digest\//.test(key)) return 'digest';
  if (/(^|\/)CloudTrail-Insight\//.test(key)) return 'insight';
  return undefined;
}

export interface CloudTrailKey {
  readonly organization?: string;
  readonly account: string;
  readonly region: string;
  /** `YYYY-MM-DD` from the folder names. */
  readonly date: string;
}

/** Reads account, region and day out of a CloudTrail log key; undefined for keys in another layout. */
export function parseCloudTrailKey(key: string): CloudTrailKey | undefined {
  const match = /(?:^|\/)AWSLogs\/(?:(o-[a-z0-9]+)\/)?(\d{12})\/CloudTrail\/([^/]+)\/(\d{4})\/(\d{2})\/(\d{2})\//.exec(key);
  if (!match) return undefined;
  const [, organization, account, region, year, month, day] = match as unknown as string[];
  return { ...(organization ? { organization } : {}), account: account!, region: region!, date: `${year}-${month}-${day}` };
}

export function hasKeyFilters(filters: KeyFilters): boolean {
  return filters.since !== undefined || filters.until !== undefined || filters.accounts !== undefined || filters.regions !== undefined;
}

/**
 * Whether a listed key is wanted: a backstop behind prefix planning (which already lists only wanted folders).
 * Keys outside the CloudTrail layout pass only when no filter is set, since their account, region and day are unknown.
 */
export function keyMatchesFilters(key: string, filters: KeyFilters): boolean {
  if (!hasKeyFilters(filters)) return true;
  const parsed = parseCloudTrailKey(key);
  if (parsed === undefined) return false;
  if (filters.accounts && !filters.accounts.includes(parsed.account)) return false;
  if (filters.regions && !filters.regions.includes(parsed.region)) return false;
  if (filters.since !== undefined && parsed.date < filters.since) return false;
  if (filters.until !== undefined && parsed.date > filters.until) return false;
  return true;
}

/**
 * The fewest date folders (`yyyy/`, `yyyy/mm/`, `yyyy/mm/dd/`) that together hold exactly the days since..until
 * (inclusive), ascending. Whole years and months collapse into one prefix, so an open range stays a few list calls.
 */
export function coverDateRange(since: string, until: string): string[] {
  const prefixes: string[] = [];
  let current = toUtc(since);
  const end = toUtc(until);
  while (current <= end) {
    const y = current.getUTCFullYear();
    const m = current.getUTCMonth();
    const d = current.getUTCDate();
    if (m === 0 && d === 1 && Date.UTC(y, 11, 31) <= end.getTime()) {
      prefixes.push(`${y}/`);
      current = new Date(Date.UTC(y + 1, 0, 1));
    } else if (d === 1 && Date.UTC(y, m + 1, 0) <= end.getTime()) {
      prefixes.push(`${y}/${pad(m + 1)}/`);
      current = new Date(Date.UTC(y, m + 1, 1));
    } else {
      prefixes.push(`${y}/${pad(m + 1)}/${pad(d)}/`);
      current = new Date(Date.UTC(y, m, d + 1));
    }
  }
  return prefixes;
}

/** Where in the layout a user's prefix points. */
interface Position {
  /** Everything up to and including `AWSLogs/`. */
  readonly base: string;
  readonly organization?: string;
  readonly account?: string;
  readonly service?: string;
  readonly region?: string;
  /** Date folder names below the region: [yyyy], [yyyy, mm] or [yyyy, mm, dd]. */
  readonly dateParts: readonly string[];
}

/**
 * The prefixes to list in full (no delimiter) to read every wanted log under `prefix`, in key order. Folders are
 * discovered with `listFolders` only where the layout leaves a choice (accounts under `AWSLogs/` or an organization,
 * regions when `--regions` is not given); days are computed, so nothing outside the date range is listed.
 * A prefix that is not in the CloudTrail layout is returned as is (its keys are then filtered one by one).
 */
export async function* planListPrefixes(
  prefix: string,
  filters: KeyFilters,
  listFolders: FolderLister,
  today: string,
): AsyncGenerator<string> {
  const folder = asFolder(prefix);
  if (folder === undefined) {
    yield prefix;
    return;
  }
  const position = parsePosition(folder);
  if (position === 'unknown') {
    yield folder;
    return;
  }
  if (position === 'above') {
    // The trail's own prefix (or the bucket root): look for its AWSLogs/ folder.
    for await (const child of listFolders(folder)) {
      if (child.slice(folder.length) === 'AWSLogs/') {
        yield* planFrom({ base: child, dateParts: [] }, filters, listFolders, today);
        return;
      }
    }
    yield folder;
    return;
  }
  yield* planFrom(position, filters, listFolders, today);
}

async function* planFrom(position: Position, filters: KeyFilters, listFolders: FolderLister, today: string): AsyncGenerator<string> {
  const { base, organization, account } = position;
  if (account === undefined) {
    const parent = organization === undefined ? base : `${base}${organization}/`;
    for await (const child of listFolders(parent)) {
      const name = child.slice(parent.length, -1);
      if (ACCOUNT.test(name)) yield* planFrom({ ...position, account: name }, filters, listFolders, today);
      else if (organization === undefined && ORGANIZATION.test(name)) yield* planFrom({ ...position, organization: name }, filters, listFolders, today);
    }
    return;
  }
  if (filters.accounts && !filters.accounts.includes(account)) return;
  const service = position.service ?? 'CloudTrail';
  if (service !== 'CloudTrail') return; // CloudTrail-Digest/, CloudTrail-Insight/ and other services' logs
  const trail = `${base}${organization === undefined ? '' : `${organization}/`}${account}/CloudTrail/`;
  if (position.region === undefined) {
    const regions = filters.regions
      ? [...filters.regions].sort()
      : await collect(listFolders(trail), (child) => child.slice(trail.length, -1));
    for (const region of regions) yield* planFrom({ ...position, service, region }, filters, listFolders, today);
    return;
  }
  if (filters.regions && !filters.regions.includes(position.region)) return;
  const regionPrefix = `${trail}${position.region}/`;
  const folderPrefix = regionPrefix + position.dateParts.map((part) => `${part}/`).join('');
  if (filters.since === undefined && filters.until === undefined) {
    yield folderPrefix;
    return;
  }
  const [start, end] = folderSpan(position.dateParts);
  const since = max(filters.since ?? FIRST_CLOUDTRAIL_DAY, start);
  const until = min(filters.until ?? today, end);
  if (since > until) return;
  for (const datePrefix of coverDateRange(since, until)) yield regionPrefix + datePrefix;
}

/** A prefix that ends at a folder boundary, or one whose last part is a whole layout folder name; else undefined. */
function asFolder(prefix: string): string | undefined {
  if (prefix === '' || prefix.endsWith('/')) return prefix;
  const withSlash = `${prefix}/`;
  const position = parsePosition(withSlash);
  return position === 'unknown' || position === 'above' ? undefined : withSlash;
}

function parsePosition(folder: string): Position | 'above' | 'unknown' {
  const parts = folder.split('/').slice(0, -1);
  const index = parts.lastIndexOf('AWSLogs');
  if (index < 0) return 'above';
  const base = `${parts.slice(0, index + 1).join('/')}/`;
  const rest = parts.slice(index + 1);
  let organization: string | undefined;
  if (rest[0] !== undefined && ORGANIZATION.test(rest[0])) organization = rest.shift();
  const [account, service, region, ...dateParts] = rest;
  if (account !== undefined && !ACCOUNT.test(account)) return 'unknown';
  if (region !== undefined && service === 'CloudTrail' && !REGION.test(region)) return 'unknown';
  const [year, month, day, ...deeper] = dateParts;
  if (deeper.length > 0 || (year !== undefined && !/^\d{4}$/.test(year)) || (month !== undefined && !/^\d{2}$/.test(month)) || (day !== undefined && !/^\d{2}$/.test(day))) {
    return 'unknown';
  }
  return { base, ...(organization ? { organization } : {}), ...(account ? { account } : {}), ...(service ? { service } : {}), ...(region ? { region } : {}), dateParts };
}

/** First and last day a date folder can hold. */
function folderSpan(dateParts: readonly string[]): [string, string] {
  const [year, month, day] = dateParts;
  if (year === undefined) return ['0000-01-01', '9999-12-31'];
  if (month === undefined) return [`${year}-01-01`, `${year}-12-31`];
  if (day === undefined) {
    const last = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
    return [`${year}-${month}-01`, `${year}-${month}-${pad(last)}`];
  }
  return [`${year}-${month}-${day}`, `${year}-${month}-${day}`];
}

async function collect<T>(source: AsyncIterable<string>, map: (item: string) => T): Promise<T[]> {
  const items: T[] = [];
  for await (const item of source) items.push(map(item));
  return items;
}

const toUtc = (date: string): Date => new Date(`${date}T00:00:00Z`);
const pad = (n: number): string => String(n).padStart(2, '0');
const max = (a: string, b: string): string => (a > b ? a : b);
const min = (a: string, b: string): string => (a < b ? a : b);
