/**
 * SNS Publish limits (https://docs.aws.amazon.com/sns/latest/api/API_Publish.html):
 * - Subject: ASCII, starts with a letter, number or punctuation mark, no line breaks or control characters, < 100 characters.
 * - Message plus message attributes (name, data type and value of each): at most 262,144 bytes.
 * - A String attribute's value must not be empty.
 */
export const SNS_MAX_PUBLISH_BYTES = 262_144;

export interface PublishShape {
  readonly subject: string | undefined;
  readonly message: string | undefined;
  readonly attributes: Readonly<Record<string, string | undefined>>;
}

/** Every limit the publish breaks, as readable text; empty when SNS would accept it. */
export function snsLimitViolations({ subject, message, attributes }: PublishShape): string[] {
  const problems: string[] = [];
  if (subject !== undefined) {
    if (subject.length >= 100) problems.push(`subject has ${subject.length} characters`);
    if (!/^[\x20-\x7e]*$/.test(subject)) problems.push(`subject is not printable ASCII: ${JSON.stringify(subject)}`);
    if (/[\r\n]/.test(subject)) problems.push('subject has a line break');
    if (!/^[A-Za-z0-9\p{P}]/u.test(subject)) problems.push(`subject does not start with a letter, number or punctuation: ${JSON.stringify(subject)}`);
  }
  if (message === undefined || message === '') problems.push('message is empty');
  let bytes = Buffer.byteLength(message ?? '', 'utf8');
  for (const [name, value] of Object.entries(attributes)) {
    if (typeof value !== 'string' || value === '') problems.push(`attribute ${name} is not a non-empty string`);
    bytes += Buffer.byteLength(name, 'utf8') + Buffer.byteLength('String', 'utf8') + Buffer.byteLength(value ?? '', 'utf8');
  }
  if (bytes > SNS_MAX_PUBLISH_BYTES) problems.push(`message and attributes take ${bytes} bytes`);
  return problems;
}
