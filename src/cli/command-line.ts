/**
 * The one argument parser of every command (`scan`, `athena`, `redrive`, `report`, `conformance`). A command is
 * declared once, as data: its options, operands, help text and examples. Parsing, usage errors and `--help` all come
 * from that declaration, so adding an option is one entry in the command's `options` and adding a command is one
 * declaration plus one line in the command list (src/cli/commands.ts).
 *
 * The syntax is Node's own `util.parseArgs` (GNU style: `--name value`, `--name=value`, `-x value`, `-xvalue`,
 * grouped short flags, `--` ends the options, a lone `-` is an operand), used in token mode so that the messages are
 * ours: short, naming the option and what it needs.
 */
import { parseArgs } from 'node:util';

/** A mistake on the command line: printed with the command's usage, exit status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** One option as declared. `T` is what the command receives: `true` for a flag, the parsed value otherwise. */
export interface OptionDeclaration<T> {
  /** Long name without the dashes (`exceptions-for-all`); by default the option's key written in kebab case. */
  readonly long?: string;
  /** One letter, for `-q`. */
  readonly short?: string;
  /** Placeholder of the value in help and messages (`DIR`); absent for a flag. */
  readonly value?: string;
  /** May be given several times; the command receives every value, in order. */
  readonly repeatable?: boolean;
  /** Help text: what the option does, in one or two sentences. */
  readonly help: string;
  /** Turns the text into the value; throws UsageError with the reason when the text does not fit. */
  readonly parse?: (text: string, flag: string) => unknown;
  /** Phantom: carries `T` for the parsed type; never set. */
  readonly __type?: T;
}

export type OptionTable = Readonly<Record<string, OptionDeclaration<unknown>>>;

/** What the command receives: one property per declared option, absent when the option was not given. */
export type OptionValues<O extends OptionTable> = {
  readonly [K in keyof O]?: O[K] extends OptionDeclaration<infer T> ? T : never;
};

/** A flag: `--quiet`. */
export function flag(help: string, extra: { short?: string; long?: string } = {}): OptionDeclaration<true> {
  return { help, ...extra };
}

/** An option with a value, given at most once: `--rules DIR`. */
export function valueOption<T = string>(
  value: string,
  help: string,
  extra: { short?: string; long?: string; parse?: (text: string, flag: string) => T } = {},
): OptionDeclaration<T> {
  return { value, help, ...extra };
}

/** An option with a value that may be repeated: `--exceptions FILE --exceptions FILE`. */
export function repeatableOption<T = string>(
  value: string,
  help: string,
  extra: { short?: string; long?: string; parse?: (text: string, flag: string) => T } = {},
): OptionDeclaration<T[]> {
  return { value, help, repeatable: true, ...extra };
}

/** Operands (positional arguments) a command takes. */
export interface OperandDeclaration {
  /** As shown in usage and messages: `PATH`. */
  readonly name: string;
  readonly min: number;
  /** Most operands accepted; unbounded when absent. */
  readonly max?: number;
  readonly help: string;
}

export interface Example {
  /** The arguments after the program name. */
  readonly command: string;
  readonly explanation: string;
}

/** Everything about one command: the parser, the help and the runner are all driven by it. */
export interface CommandDeclaration<O extends OptionTable, A, Io> {
  readonly name: string;
  /** One line for the list of commands. */
  readonly summary: string;
  /** Synopsis lines after the program name, e.g. `scan [options] PATH...`. */
  readonly usage: readonly string[];
  /** Paragraphs shown under the usage in `--help`. */
  readonly description: string;
  readonly operands?: OperandDeclaration;
  readonly options: O;
  readonly examples: readonly Example[];
  /** Paragraphs after the examples (exit status, environment). */
  readonly notes?: string;
  /** Checks that involve several options, and shapes what `run` receives; throws UsageError. */
  build(options: OptionValues<O>, operands: readonly string[]): A;
  /** Runs the command (loading its implementation only now); resolves to the exit status. */
  run(args: A, io: Io): Promise<number> | number;
}

/** The help option every command has; it is not declared by the commands themselves. */
export const HELP_OPTION: OptionDeclaration<true> = flag('show this help and exit', { short: 'h', long: 'help' });

export type CommandLine<A> =
  | { readonly kind: 'run'; readonly args: A }
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string };

/** `exceptionsForAll` → `exceptions-for-all`. */
export function longName(key: string, option: OptionDeclaration<unknown>): string {
  return option.long ?? key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** How the option is written in messages and help: `--rules`. */
export function flagOf(key: string, option: OptionDeclaration<unknown>): string {
  return `--${longName(key, option)}`;
}

/** Parses the arguments after the command name. Never throws for a user's mistake: it returns a usage error. */
export function parseCommandLine<O extends OptionTable, A, Io>(command: CommandDeclaration<O, A, Io>, argv: readonly string[]): CommandLine<A> {
  try {
    const { values, operands, help } = readTokens(command, argv);
    if (help) return { kind: 'help' };
    return { kind: 'run', args: command.build(values, operands) };
  } catch (error) {
    if (error instanceof UsageError) return { kind: 'usage-error', message: error.message };
    throw error;
  }
}

function readTokens<O extends OptionTable>(
  command: CommandDeclaration<O, unknown, unknown>,
  argv: readonly string[],
): { values: OptionValues<O>; operands: string[]; help: boolean } {
  const byLongName = new Map<string, { key: string; option: OptionDeclaration<unknown> }>();
  const config: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [key, option] of [...Object.entries(command.options), ['help', HELP_OPTION] as const]) {
    const long = longName(key, option);
    byLongName.set(long, { key, option });
    config[long] = { type: option.value === undefined ? 'boolean' : 'string', ...(option.short ? { short: option.short } : {}) };
  }
  const { tokens } = parseArgs({ args: [...argv], options: config, strict: false, allowPositionals: true, tokens: true });
  // --help wins over every mistake before it: someone asking for help gets it.
  if (tokens.some((token) => token.kind === 'option' && token.name === 'help')) return { values: {}, operands: [], help: true };
  const values: Record<string, unknown> = {};
  const operands: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') {
      operands.push(token.value);
      continue;
    }
    if (token.kind !== 'option') continue; // the `--` terminator itself
    const declared = byLongName.get(token.name);
    if (declared === undefined) throw new UsageError(`unknown option '${token.rawName}'`);
    const { key, option } = declared;
    const written = token.rawName.startsWith('--') ? token.rawName : `${token.rawName} (${flagOf(key, option)})`;
    if (option.value === undefined) {
      if (token.value !== undefined) throw new UsageError(`${written} takes no value`);
      values[key] = true;
      continue;
    }
    // `--rules --quiet`: the next word is an option, not the value (a lone `-` is a value: stdout, stdin).
    const text = token.value;
    if (text === undefined || text === '' || (!token.inlineValue && text.startsWith('-') && text !== '-')) {
      throw new UsageError(`${written} needs ${option.value}`);
    }
    const parsed = option.parse ? option.parse(text, flagOf(key, option)) : text;
    if (option.repeatable) {
      values[key] = [...((values[key] as unknown[] | undefined) ?? []), parsed];
    } else {
      if (key in values) throw new UsageError(`${flagOf(key, option)} given more than once`);
      values[key] = parsed;
    }
  }
  const operandSpec = command.operands;
  if (operandSpec === undefined) {
    if (operands.length > 0) throw new UsageError(`unexpected argument '${operands[0]}'`);
  } else {
    const { name, min, max } = operandSpec;
    const exactlyOne = min === 1 && max === 1;
    if (operands.length < min) throw new UsageError(`needs ${exactlyOne ? name : `at least ${min === 1 ? 'one' : String(min)} ${name}`}`);
    if (max !== undefined && operands.length > max) {
      throw new UsageError(`takes ${exactlyOne ? 'one' : `at most ${max}`} ${name}, not ${operands.length}: '${operands.join("' '")}'`);
    }
  }
  return { values: values as OptionValues<O>, operands, help: false };
}
