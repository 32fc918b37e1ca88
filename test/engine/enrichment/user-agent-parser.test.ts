import { compileUserAgentParser, UapRegexesError, type UapRegexes } from '../../../src/engine/enrichment';
import { readUapRegexes } from '../../../src/enrichment/load-enrichment';
import { shippedUserAgentRegexes } from '../../../src/enrichment/shipped-databases';

/** A few regexes that exercise each rule of Elasticsearch's UserAgentParser. */
const REGEXES: UapRegexes = {
  user_agent_parsers: [
    // A name group that does not take part: Elasticsearch skips the pattern (the next one names the agent).
    { regex: '(?:(Skipped)|Probe)/(\\d+)' },
    { regex: '(Probe)/(\\d+)\\.(\\d+)' },
    // `$1` substituted once; version replacements literal.
    { regex: '(Tool)-(\\d+)', family_replacement: '$1 $1 kit', v1_replacement: '$2', v2_replacement: '7' },
    { regex: '(Quad)/(\\d+)\\.(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?' },
    { regex: 'case(less)', regex_flag: 'i', family_replacement: 'Caseless' },
  ],
  os_parsers: [
    { regex: '(Linux)/(\\d+)\\.(\\d+)' },
    { regex: '(NoVersionOS)' },
  ],
  device_parsers: [{ regex: 'bot', device_replacement: 'Spider' }],
};

describe('compileUserAgentParser (Elasticsearch user_agent semantics)', () => {
  const parser = compileUserAgentParser(REGEXES);

  it('skips a pattern whose name group did not take part', () => {
    expect(parser.parse('Probe/3.4')).toEqual({ name: 'Probe', version: '3.4', device: { name: 'Other' } });
  });

  it('substitutes only the first $1 of a name replacement and takes version replacements literally', () => {
    expect(parser.parse('Tool-9').name).toBe('Tool $1 kit');
    expect(parser.parse('Tool-9').version).toBe('$2.7');
  });

  it('joins versions up to the first missing part', () => {
    expect(parser.parse('Quad/1.2.3.4').version).toBe('1.2.3.4');
    expect(parser.parse('Quad/1.2').version).toBe('1.2');
  });

  it('honours the i flag, names Other when nothing matches, and gives os.full only with a version', () => {
    expect(parser.parse('CASELESS thing').name).toBe('Caseless');
    expect(parser.parse('ec2.amazonaws.com')).toEqual({ name: 'Other', device: { name: 'Other' } });
    expect(parser.parse('x Linux/5.10 y').os).toEqual({ name: 'Linux', version: '5.10', full: 'Linux 5.10' });
    expect(parser.parse('NoVersionOS').os).toEqual({ name: 'NoVersionOS' });
    expect(parser.parse('somebot/1').device).toEqual({ name: 'Spider' });
  });

  it('refuses a malformed regexes file, naming the entry', () => {
    expect(() => compileUserAgentParser({ ...REGEXES, os_parsers: [{ regex: '(' }] })).toThrow(UapRegexesError);
    expect(() => compileUserAgentParser({ ...REGEXES, os_parsers: [{ regex: '(' }] })).toThrow(/os_parsers\[0\]/);
    expect(() => compileUserAgentParser({ ...REGEXES, device_parsers: undefined as never })).toThrow('uap-core regexes: device_parsers must be a list');
  });
});

describe('with the shipped uap-core regexes', () => {
  const parser = compileUserAgentParser(readUapRegexes(shippedUserAgentRegexes()));

  it.each([
    ['aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6', { name: 'aws-cli', version: '2.17.60', device: { name: 'Other' } }],
    // botocore contains "bot": uap-core's device parsers call it a Spider, as Elastic's expected documents show.
    ['[aws-cli/1.11.10 Python/2.7.8 Linux/3.2.45-0.6.wd.865.49.315.metal1.x86_64 botocore/1.4.67]', {
      name: 'aws-cli', version: '1.11.10', os: { name: 'Linux', version: '3.2.45', full: 'Linux 3.2.45' }, device: { name: 'Spider' },
    }],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Safari/537.36', {
      name: 'Chrome', version: '134.0.0.0', os: { name: 'Windows', version: '10', full: 'Windows 10' }, device: { name: 'Other' },
    }],
  ])('%s', (agent, expected) => {
    expect(parser.parse(agent)).toEqual(expected);
  });
});
