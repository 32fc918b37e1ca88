/**
 * `--help` text, generated from the command declarations (src/cli/command-line.ts) so it cannot forget an option.
 * Lines are wrapped to fit an 80-column terminal.
 */
import { flagOf, HELP_OPTION, type CommandDeclaration, type OptionDeclaration, type OptionTable } from './command-line';

export const HELP_WIDTH = 80;
const OPTION_COLUMN = 26;

/** Any command: help only reads the declarations. */
type AnyCommand = CommandDeclaration<OptionTable, unknown, never>;

/** `Usage: PROGRAM scan [options] PATH...` and any further synopsis lines, aligned. */
export function usageLines(program: string, command: Pick<AnyCommand, 'usage'>): string {
  return command.usage.map((line, index) => `${index === 0 ? 'Usage: ' : '       '}${program} ${line}`).join('\n');
}

/** The whole help of one command. */
export function commandHelp(program: string, command: AnyCommand): string {
  const sections = [usageLines(program, command), wrapParagraphs(command.description)];
  if (command.operands !== undefined) sections.push(`Arguments:\n${describeItem(command.operands.name, command.operands.help)}`);
  const options = Object.entries(command.options).map(([key, option]) => describeOption(key, option));
  options.push(describeOption('help', HELP_OPTION));
  sections.push(`Options:\n${options.join('\n')}`);
  if (command.examples.length > 0) {
    const examples = command.examples.map((example) => `  ${program} ${example.command}\n${wrap(example.explanation, 6)}`);
    sections.push(`Examples:\n${examples.join('\n')}`);
  }
  if (command.notes !== undefined) sections.push(wrapParagraphs(command.notes));
  return `${sections.join('\n\n')}\n`;
}

/** The program's own help: the commands with one line each, and how to get more. */
export function programHelp(program: string, description: string, commands: readonly AnyCommand[], globalOptions: readonly (readonly [string, string])[]): string {
  const list = commands.map((command) => describeItem(command.name, command.summary, 12)).join('\n');
  const options = globalOptions.map(([names, help]) => describeItem(names, help)).join('\n');
  return [
    `Usage: ${program} COMMAND [options] [arguments]\n       ${program} --version`,
    wrapParagraphs(description),
    `Commands:\n${list}`,
    `Options:\n${options}`,
    wrap(`Run '${program} COMMAND --help' for a command's options and examples; docs/cli.md describes them all.`, 0),
  ].join('\n\n').concat('\n');
}

function describeOption(key: string, option: OptionDeclaration<unknown>): string {
  const long = flagOf(key, option);
  const names = `${option.short ? `-${option.short}, ` : '    '}${long}${option.value ? ` ${option.value}` : ''}`;
  return describeItem(names, option.repeatable ? `${option.help} (repeatable)` : option.help);
}

/** `  NAMES     help text`, the help wrapped in its column (or starting on the next line when NAMES is long). */
function describeItem(names: string, help: string, column = OPTION_COLUMN): string {
  const head = `  ${names}`;
  const body = wrap(help, column).trimStart();
  if (head.length < column - 1) return `${head.padEnd(column)}${body}`;
  return `${head}\n${wrap(help, column)}`;
}

/** Paragraphs separated by blank lines; a line that starts with spaces is kept as written (lists, commands). */
function wrapParagraphs(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => (/^\s/.test(paragraph) || paragraph.includes('\n  ') ? paragraph : wrap(paragraph.replace(/\s*\n\s*/g, ' '), 0)))
    .join('\n\n');
}

/** Greedy word wrap to HELP_WIDTH, every line indented by `indent` spaces. */
export function wrap(text: string, indent: number, width = HELP_WIDTH): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    if (line !== '' && indent + line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(line);
  return lines.map((text) => `${' '.repeat(indent)}${text}`).join('\n');
}
