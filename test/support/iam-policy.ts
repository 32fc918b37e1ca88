/**
 * Just enough of IAM's policy evaluation for the local S3 front (test/support/conditional-s3.ts) to answer as S3 does
 * for a caller whose identity policies are those of the synthesized role: explicit deny wins, then any allow, else
 * deny. Actions and resources with `*` / `?` wildcards, and the condition operators these templates use (String*,
 * with `IfExists`, and `Null`); an unknown operator never holds, so the front errs on the side of refusing.
 */
export interface PolicyStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface PolicyDocument {
  readonly Statement: readonly PolicyStatement[] | PolicyStatement;
}

/** Condition keys present in the request; a key not listed is absent. */
export type RequestContext = Readonly<Record<string, string>>;

export function isAllowed(policies: readonly PolicyDocument[], action: string, resource: string, context: RequestContext = {}): boolean {
  const statements = policies.flatMap((policy) => asList(policy.Statement));
  const applies = (statement: PolicyStatement): boolean =>
    asList(statement.Action).some((pattern) => wildcardMatches(pattern, action, true)) &&
    asList(statement.Resource).some((pattern) => wildcardMatches(pattern, resource, false)) &&
    conditionsHold(statement.Condition, context);
  if (statements.some((statement) => statement.Effect === 'Deny' && applies(statement))) return false;
  return statements.some((statement) => statement.Effect === 'Allow' && applies(statement));
}

function conditionsHold(conditions: PolicyStatement['Condition'], context: RequestContext): boolean {
  for (const [operator, entries] of Object.entries(conditions ?? {})) {
    for (const [key, expected] of Object.entries(entries)) {
      const values = asList(expected);
      const actual = context[key];
      if (operator === 'Null') {
        if ((actual === undefined) !== (values[0] === 'true')) return false;
        continue;
      }
      const ifExists = operator.endsWith('IfExists');
      const base = ifExists ? operator.slice(0, -'IfExists'.length) : operator;
      if (actual === undefined) {
        if (ifExists) continue;
        return false; // a condition on a key the request does not carry does not hold
      }
      const test = STRING_OPERATORS[base];
      if (test === undefined || !test(values, actual)) return false;
    }
  }
  return true;
}

const STRING_OPERATORS: Record<string, (values: readonly string[], actual: string) => boolean> = {
  StringEquals: (values, actual) => values.includes(actual),
  StringNotEquals: (values, actual) => !values.includes(actual),
  StringLike: (values, actual) => values.some((pattern) => wildcardMatches(pattern, actual, false)),
  StringNotLike: (values, actual) => !values.some((pattern) => wildcardMatches(pattern, actual, false)),
};

/** IAM wildcards: `*` any run, `?` one character; actions compare case-insensitively. */
function wildcardMatches(pattern: string, value: string, ignoreCase: boolean): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

function asList<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

/**
 * The identity policies of one role of a synthesized template, with CloudFormation intrinsics resolved for the local
 * endpoints: the bucket resources become `arn:aws:s3:::<local bucket name>`, pseudo parameters fixed values, anything
 * else an ARN naming its logical id (never equal to an S3 ARN).
 */
export function rolePolicies(
  template: { readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: any }>> },
  roleLogicalId: string,
  bucketNames: Readonly<Record<string, string>>,
): PolicyDocument[] {
  const resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const record = value as Record<string, unknown>;
    if ('Ref' in record) {
      const name = record.Ref as string;
      if (name === 'AWS::Partition') return 'aws';
      if (name === 'AWS::Region') return 'us-east-1';
      if (name === 'AWS::AccountId') return '123456789012';
      if (name === 'AWS::URLSuffix') return 'amazonaws.com';
      return bucketNames[name] ?? `unresolved-${name}`;
    }
    if ('Fn::GetAtt' in record) {
      const [logicalId, attribute] = record['Fn::GetAtt'] as [string, string];
      const bucket = bucketNames[logicalId];
      if (bucket !== undefined && attribute === 'Arn') return `arn:aws:s3:::${bucket}`;
      return `arn:aws:unresolved:::${logicalId}/${attribute}`;
    }
    if ('Fn::Join' in record) {
      const [delimiter, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map((part) => String(resolve(part))).join(delimiter);
    }
    return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, resolve(item)]));
  };
  const role = template.Resources[roleLogicalId];
  if (role?.Type !== 'AWS::IAM::Role') throw new Error(`${roleLogicalId} is not a role of this template`);
  const inline = ((role.Properties?.Policies ?? []) as { PolicyDocument: unknown }[]).map((policy) => resolve(policy.PolicyDocument) as PolicyDocument);
  const attached = Object.values(template.Resources)
    .filter((resource) => resource.Type === 'AWS::IAM::Policy' && JSON.stringify(resource.Properties?.Roles ?? []).includes(`"${roleLogicalId}"`))
    .map((resource) => resolve(resource.Properties.PolicyDocument) as PolicyDocument);
  return [...inline, ...attached];
}
