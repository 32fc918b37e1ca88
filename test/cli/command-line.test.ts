/** The one argument parser (src/cli/command-line.ts), the help generated from the declarations, and --version. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandHelp } from '../../src/cli/command-help';
import { flag, flagOf, parseCommandLine, repeatableOption, UsageError, valueOption, type CommandDeclaration } from '../../src/cli/command-line';
import { COMMANDS } from '../../src/cli/main';
import { REPO_ROOT, runCli, spawnCli } from './cli-harness';

const options = {
  name: valueOption('NAME', 'a name', { short: 'n' }),
  count: valueOption('N', 'a count', {
    parse: (text, written) => {
      if (!/^\d+$/.test(text)) throw new UsageError(`${written} needs a number, not '${text}'`);
      return Number(text);
    },
  }),
  tags: repeatableOption('TAG', 'a tag'),
  dryRun: flag('do nothing', { short: 'd' }),
  verbose: flag('say more', { short: 'v' }),
  noCache: flag('a negative flag is an ordinary name: --no-cache'),
};
const toy: CommandDeclaration<typeof options, { options: unknown; operands: readonly string[] }, undefined> = {
  name: 'toy',
  summary: 'a command for the parser tests',
  usage: ['toy [options] FILE...'],
  description: 'Does nothing.',
  operands: { name: 'FILE', min: 1, max: 3, help: 'files' },
  options,
  examples: [{ command: 'toy -dv a', explanation: 'nothing, verbosely' }],
  build: (values, operands) => ({ options: values, operands }),
  run: () => 0,
};

const parse = (...argv: string[]) => parseCommandLine(toy, argv);

describe('parseCommandLine', () => {
  it('reads GNU-style options: inline values, short groups, repeats, -- and a lone -', () => {
    expect(parse('--name=a', '--count', '3', '--tags', 'x', '--tags=y', '-dv', 'f1', '--', '--odd', '-')).toEqual({
      kind: 'run',
      args: { options: { name: 'a', count: 3, tags: ['x', 'y'], dryRun: true, verbose: true }, operands: ['f1', '--odd', '-'] },
    });
    expect(parse('-nvalue', 'f')).toEqual({ kind: 'run', args: { options: { name: 'value' }, operands: ['f'] } });
    expect(parse('--dry-run', 'f')).toMatchObject({ args: { options: { dryRun: true } } });
    expect(parse('--no-cache', 'f')).toEqual({ kind: 'run', args: { options: { noCache: true }, operands: ['f'] } });
  });

  it.each([
    [['--bogus', 'f'], "unknown option '--bogus'"],
    [['-x', 'f'], "unknown option '-x'"],
    [['--name'], '--name needs NAME'],
    [['--name', '--verbose', 'f'], '--name needs NAME'],
    [['-n', '', 'f'], '-n (--name) needs NAME'],
    [['--name=a', '--name=b', 'f'], '--name given more than once'],
    [['--verbose=yes', 'f'], '--verbose takes no value'],
    [['--count', 'many', 'f'], "--count needs a number, not 'many'"],
    [[], 'needs at least one FILE'],
    [['a', 'b', 'c', 'd'], "takes at most 3 FILE, not 4: 'a' 'b' 'c' 'd'"],
  ])('%j is a usage error: %s', (argv, message) => {
    expect(parse(...argv)).toEqual({ kind: 'usage-error', message });
  });

  it('--help wins over any mistake, anywhere before --', () => {
    expect(parse('--bogus', '-h')).toEqual({ kind: 'help' });
    expect(parse('--name', 'x', '--help')).toEqual({ kind: 'help' });
    expect(parse('--', '--help')).toEqual({ kind: 'run', args: { options: {}, operands: ['--help'] } });
  });

  it('names flags after their key unless told otherwise', () => {
    expect(flagOf('exceptionsForAll', flag('x'))).toBe('--exceptions-for-all');
    expect(flagOf('rulesDirectory', valueOption('DIR', 'x', { long: 'rules' }))).toBe('--rules');
  });
});

describe('help of every command', () => {
  it.each(COMMANDS.map((command) => [command.name, command] as const))('%s --help lists every option, its usage and an example', async (name, command) => {
    const run = await runCli([name, '--help']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe(commandHelp('cloudtrail-stream-detector', command));
    expect(run.stdout).toMatch(new RegExp(`^Usage: cloudtrail-stream-detector ${name} `));
    for (const [key, option] of Object.entries(command.options)) {
      expect(run.stdout).toMatch(new RegExp(`^  ${option.short ? `-${option.short}, ` : '    '}${flagOf(key, option)}${option.value ? ` ${option.value.replace(/[|.]/g, '\\$&')}` : ''}( |\\n)`, 'm'));
    }
    expect(run.stdout).toContain('  -h, --help');
    expect(run.stdout).toMatch(new RegExp(`\\nExamples:\\n  cloudtrail-stream-detector ${name} \\S`));
    // Descriptions are wrapped for an 80-column terminal; only usage and example command lines may be longer.
    const long = run.stdout.split('\n').filter((line) => line.length > 80 && !line.startsWith('  cloudtrail-stream-detector ') && !/^(Usage: | {7})cloudtrail/.test(line));
    expect(long).toEqual([]);
  });

  it('help COMMAND is the same text; an unknown one is a usage error', async () => {
    expect((await runCli(['help', 'athena'])).stdout).toBe((await runCli(['athena', '--help'])).stdout);
    const unknown = await runCli(['help', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no command 'frobnicate'");
  });

  it('every option in the help is documented in docs/cli.md, and every command', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'cli.md'), 'utf8');
    for (const command of COMMANDS) {
      expect(docs).toContain(`## \`${command.name}\``);
      for (const [key, option] of Object.entries(command.options)) expect([command.name, docs.includes(`\`${flagOf(key, option)}`)]).toEqual([command.name, true]);
    }
  });
});

describe('--version', () => {
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

  it('prints the package version, in-process and from the real executable', async () => {
    const run = await runCli(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `cloudtrail-stream-detector ${version}\n`, stderr: '' });
    const spawned = spawnCli(['--version']);
    expect(spawned.code).toBe(0);
    expect(spawned.stdout).toBe(`cloudtrail-stream-detector ${version}\n`);
  });
});
