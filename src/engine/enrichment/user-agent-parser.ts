/**
 * User-agent parsing exactly as Elasticsearch's `user_agent` processor does it (UserAgentParser and
 * UserAgentProcessor): ua-parser's uap-core regexes tried in file order, the first pattern that yields a name wins
 * (one whose name group did not take part is skipped); only `$1` is substituted, in the name replacement and only
 * once; version replacements are literal; versions are joined major.minor.patch.build up to the first missing part;
 * `os.full` is `<name> <version>`; no match gives name `Other` and device `Other` (bots get uap-core's `Spider`).
 */
import { BoundedCache } from './bounded-cache';
import type { UserAgentFields, UserAgentParser } from './enrichment';
import { requiredLiteral } from './required-literal';

/** One entry of uap-core's regexes.yaml. */
export interface UapPattern {
  readonly regex: string;
  readonly regex_flag?: string;
  readonly [replacement: string]: string | undefined;
}

/** The parsed content of uap-core's regexes.yaml. */
export interface UapRegexes {
  readonly user_agent_parsers: readonly UapPattern[];
  readonly os_parsers: readonly UapPattern[];
  readonly device_parsers: readonly UapPattern[];
}

export class UapRegexesError extends Error {}

interface CompiledPattern {
  readonly pattern: RegExp;
  /** A substring every match contains (lower-cased for case-insensitive patterns): the pattern runs only if present. */
  readonly literal?: string;
  readonly caseInsensitive: boolean;
  readonly name?: string;
  readonly versions: readonly (string | undefined)[];
}

interface VersionedName {
  readonly name: string;
  readonly parts: readonly (string | undefined)[];
}

const REPLACEMENT_KEYS = {
  user_agent_parsers: ['family_replacement', 'v1_replacement', 'v2_replacement', 'v3_replacement', 'v4_replacement'],
  os_parsers: ['os_replacement', 'os_v1_replacement', 'os_v2_replacement', 'os_v3_replacement', 'os_v4_replacement'],
  device_parsers: ['device_replacement'],
} as const;

function compileSection(regexes: UapRegexes, section: keyof typeof REPLACEMENT_KEYS): CompiledPattern[] {
  const patterns = regexes[section];
  if (!Array.isArray(patterns)) throw new UapRegexesError(`uap-core regexes: ${section} must be a list`);
  const [nameKey, ...versionKeys] = REPLACEMENT_KEYS[section];
  return patterns.map((entry: UapPattern, index) => {
    if (typeof entry?.regex !== 'string') throw new UapRegexesError(`uap-core regexes: ${section}[${index}] has no regex`);
    let pattern: RegExp;
    try {
      // Java's Pattern.CASE_INSENSITIVE for regex_flag "i", the only flag uap-core uses.
      pattern = new RegExp(entry.regex, entry.regex_flag === 'i' ? 'i' : '');
    } catch (error) {
      throw new UapRegexesError(`uap-core regexes: ${section}[${index}]: ${(error as Error).message}`);
    }
    const caseInsensitive = entry.regex_flag === 'i';
    let literal = requiredLiteral(entry.regex);
    // Lower-casing both sides is only sure to agree with the regex's case folding for ASCII.
    if (literal !== undefined && caseInsensitive) literal = /^[\x00-\x7f]*$/.test(literal) ? literal.toLowerCase() : undefined;
    return { pattern, literal, caseInsensitive, name: entry[nameKey], versions: versionKeys.map((key) => entry[key]) };
  });
}

/** The agent as given and lower-cased (for the case-insensitive patterns' literals), computed once per parse. */
interface Agent {
  readonly text: string;
  readonly lower: string;
}

function matchPattern(compiled: CompiledPattern, agent: Agent): VersionedName | undefined {
  if (compiled.literal !== undefined && !(compiled.caseInsensitive ? agent.lower : agent.text).includes(compiled.literal)) return undefined;
  const match = compiled.pattern.exec(agent.text);
  if (match === null) return undefined;
  const groupCount = match.length - 1;
  let name: string | undefined;
  if (compiled.name !== undefined) {
    name = compiled.name.includes('$1') && groupCount >= 1 && match[1] !== undefined ? compiled.name.replace('$1', () => match[1]) : compiled.name;
  } else if (groupCount >= 1) {
    name = match[1];
  }
  if (name === undefined) return undefined;
  const parts = [0, 1, 2, 3].map((index) => compiled.versions[index] ?? (groupCount >= index + 2 ? match[index + 2] : undefined));
  return { name, parts };
}

function findMatch(patterns: readonly CompiledPattern[], agent: Agent): VersionedName | undefined {
  for (const compiled of patterns) {
    const found = matchPattern(compiled, agent);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** major[.minor[.patch[.build]]], stopping at the first missing part; undefined without a major. */
function joinVersion(parts: readonly (string | undefined)[]): string | undefined {
  if (parts[0] === undefined) return undefined;
  let version = parts[0];
  for (let index = 1; index < parts.length && parts[index] !== undefined; index++) version += `.${parts[index]}`;
  return version;
}

function toFields(userAgent?: VersionedName, os?: VersionedName, device?: VersionedName): UserAgentFields {
  const version = userAgent && joinVersion(userAgent.parts);
  const osVersion = os && joinVersion(os.parts);
  return {
    name: userAgent?.name ?? 'Other',
    ...(version !== undefined ? { version } : {}),
    ...(os !== undefined ? { os: osVersion !== undefined ? { name: os.name, version: osVersion, full: `${os.name} ${osVersion}` } : { name: os.name } } : {}),
    device: { name: device?.name ?? 'Other' },
  };
}

export interface UserAgentParserOptions {
  /** Parsed agents kept (default 1,000, as Elasticsearch). */
  readonly cacheSize?: number;
  /** Skip patterns whose required literal is absent (default true; false runs every pattern, for tests). */
  readonly literalPrefilter?: boolean;
}

/** Compiles uap-core's regexes (the parsed regexes.yaml); throws UapRegexesError for a malformed file. */
export function compileUserAgentParser(regexes: UapRegexes, options: UserAgentParserOptions = {}): UserAgentParser {
  if (typeof regexes !== 'object' || regexes === null) throw new UapRegexesError('uap-core regexes: expected an object');
  const prefilter = options.literalPrefilter !== false;
  const compile = (section: keyof typeof REPLACEMENT_KEYS) =>
    compileSection(regexes, section).map((compiled) => (prefilter ? compiled : { ...compiled, literal: undefined }));
  const userAgents = compile('user_agent_parsers');
  const systems = compile('os_parsers');
  const devices = compile('device_parsers');
  const cache = new BoundedCache<UserAgentFields>(options.cacheSize);
  return {
    parse(text) {
      return cache.getOrCompute(text, () => {
        const agent = { text, lower: text.toLowerCase() };
        return toFields(findMatch(userAgents, agent), findMatch(systems, agent), findMatch(devices, agent));
      });
    },
  };
}
