/** What `redrive` was asked to do, or why the arguments cannot be used. */
export type RedriveArguments =
  | { readonly kind: 'help' }
  | { readonly kind: 'usage-error'; readonly message: string }
  | {
      readonly kind: 'run';
      readonly queueUrl: string;
      readonly functionName: string;
      /** Most messages to handle in this run; undefined drains the queue. */
      readonly max?: number;
      readonly dryRun: boolean;
    };

const VALUE_OPTIONS = ['--queue', '--function', '--max'] as const;
type ValueOption = (typeof VALUE_OPTIONS)[number];

/** Parses the arguments after the word `redrive`. */
export function parseRedriveArguments(args: readonly string[]): RedriveArguments {
  const values = new Map<ValueOption, string>();
  let dryRun = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index] as string;
    if (arg === '-h' || arg === '--help') return { kind: 'help' };
    if (arg === '--dry-run') {
      dryRun = true;
      continue;
    }
    const option = VALUE_OPTIONS.find((name) => arg === name || arg.startsWith(`${name}=`));
    if (option === undefined) {
      return usageError(arg.startsWith('-') ? `unknown option '${arg}'` : `unexpected argument '${arg}'`);
    }
    if (values.has(option)) return usageError(`${option} given more than once`);
    const inline = arg.startsWith(`${option}=`) ? arg.slice(option.length + 1) : undefined;
    const value = inline ?? args[index + 1];
    if (value === undefined || value === '' || (inline === undefined && value.startsWith('-'))) {
      return usageError(`${option} needs a value`);
    }
    values.set(option, value);
    if (inline === undefined) index += 1;
  }

  const queueUrl = values.get('--queue');
  const functionName = values.get('--function');
  if (queueUrl === undefined) return usageError('redrive needs --queue QUEUE_URL');
  if (functionName === undefined) return usageError('redrive needs --function FUNCTION_NAME_OR_ARN');
  if (!isHttpUrl(queueUrl)) return usageError(`--queue must be a queue URL such as https://sqs.REGION.amazonaws.com/ACCOUNT/NAME, not '${queueUrl}'`);

  const maxText = values.get('--max');
  if (maxText !== undefined && !/^[1-9][0-9]*$/.test(maxText)) return usageError(`--max must be a positive whole number, not '${maxText}'`);
  const max = maxText === undefined ? undefined : Number(maxText);
  if (max !== undefined && !Number.isSafeInteger(max)) return usageError(`--max is too large: '${maxText}'`);

  return max === undefined ? { kind: 'run', queueUrl, functionName, dryRun } : { kind: 'run', queueUrl, functionName, max, dryRun };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.pathname.length > 1;
  } catch {
    return false;
  }
}

function usageError(message: string): RedriveArguments {
  return { kind: 'usage-error', message };
}
