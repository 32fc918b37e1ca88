import { cell, code, codeList, table } from '../markdown';
import { renderList, renderValue } from '../render-intrinsics';
import { describeResource, type ReportInput } from '../report-input';
import { type AttachedPolicy, asArray, ofType, type PolicyStatement, policies } from '../template';

/**
 * Why each `Resource: "*"` in the template is there (docs/posture.md §3). Identity policies have none; key policies
 * must say `"*"`, which in a key policy means "this key". Keyed by statement Sid, or `key-administration` for the
 * default key policy statement (which has no Sid). The report flags any `"*"` without an entry here.
 */
export const RESOURCE_STAR_REASONS: Readonly<Record<string, string>> = {
  'key-administration':
    'Default key policy statement: the account (root principal, i.e. the IAM policies of the account) administers the key. ' +
    'AWS requires it to keep the key manageable; in a key policy `Resource: "*"` means this key.',
  EventBridgeTargetDeadLetters:
    'Key policy (`"*"` = this key): lets EventBridge encrypt undelivered events into the target dead-letter queue, only for ' +
    'rules of this account and region (`aws:SourceAccount`, `aws:SourceArn` like `rule/*`; the rule ARNs cannot be listed without a CloudFormation cycle).',
  SnsSubscriptionDeadLetters:
    'Key policy (`"*"` = this key): lets SNS encrypt undeliverable e-mail alerts into the redrive queue, only for the alert topic ' +
    '(`aws:SourceAccount`, `aws:SourceArn` = the topic).',
  CloudWatchAlarmsPublishToAlertTopic:
    'Key policy (`"*"` = this key): lets CloudWatch alarms of this account and region publish to the KMS-encrypted alert topic ' +
    '(only when no `opsTopicArn` is given; `aws:SourceAccount`, `aws:SourceArn` like `alarm:*`).',
};

/** The reason a statement with `Resource: "*"` may have it, or `undefined` when none is recorded. */
export function resourceStarReason(policy: AttachedPolicy, statement: PolicyStatement): string | undefined {
  if (policy.holderType !== 'AWS::KMS::Key') return undefined;
  if (statement.Action === 'kms:*' && statement.Effect === 'Allow' && /:root$/.test(renderValue(statement.Principal?.AWS))) return RESOURCE_STAR_REASONS['key-administration'];
  return statement.Sid ? RESOURCE_STAR_REASONS[statement.Sid] : undefined;
}

export function hasResourceStar(statement: PolicyStatement): boolean {
  return asArray(statement.Resource).includes('*');
}

export function renderPrincipal(principal: unknown): string[] {
  if (principal === undefined) return [];
  if (typeof principal === 'string') return [principal];
  return Object.entries(principal as Record<string, unknown>).flatMap(([kind, value]) => renderList(value).map((item) => `${kind}: ${item}`));
}

export function renderConditions(condition: unknown): string[] {
  if (!condition) return [];
  return Object.entries(condition as Record<string, Record<string, unknown>>).flatMap(([operator, keys]) =>
    Object.entries(keys).map(([key, value]) => `${operator} ${key} = ${renderList(value).join(' | ')}`),
  );
}

function statementRows(statements: readonly PolicyStatement[], withPrincipal: boolean): string[][] {
  return statements.map((statement) => [
    statement.Sid ? code(statement.Sid) : '—',
    statement.Effect,
    ...(withPrincipal ? [codeList(renderPrincipal(statement.Principal ?? statement.NotPrincipal))] : []),
    (statement.NotAction ? 'NOT ' : '') + codeList(renderList(statement.Action ?? statement.NotAction)),
    (statement.NotResource ? 'NOT ' : '') + codeList(renderList(statement.Resource ?? statement.NotResource)),
    codeList(renderConditions(statement.Condition)),
  ]);
}

/** Every role with every identity permission; every resource policy; every `Resource: "*"` with its reason. */
export function permissionsSection(input: ReportInput): string[] {
  const all = policies(input.template);
  const lines = ['## 3. Permissions', '', '### 3.1 IAM roles', ''];
  for (const [roleId, role] of ofType(input.template, 'AWS::IAM::Role')) {
    const trust = all.filter((policy) => policy.kind === 'trust' && policy.holder === roleId);
    const identity = all.filter((policy) => policy.kind === 'identity' && (policy.holder === roleId || policy.subjects.some((subject) => renderValue(subject) === renderValue({ Ref: roleId }))));
    const managed = renderList(role.Properties?.ManagedPolicyArns);
    lines.push(
      `#### Role ${code(roleId)}`,
      '',
      `${describeResource(input, roleId)} — ${cell(String(role.Properties?.Description ?? ''))}`,
      '',
      `Assumed by: ${trust.flatMap((policy) => policy.statements.flatMap((statement) => renderPrincipal(statement.Principal).map((principal) => `${code(principal)} (${renderList(statement.Action).join(', ')})`))).join('; ') || '—'}. ` +
        `Managed policies: ${managed.length > 0 ? managed.map(code).join(', ') : 'none'}. Permissions boundary: ${role.Properties?.PermissionsBoundary ? code(renderValue(role.Properties.PermissionsBoundary)) : 'none'}.`,
      '',
    );
    for (const policy of identity) {
      lines.push(`Policy ${code(policy.name ?? policy.holder)} (${policy.holderType === 'AWS::IAM::Role' ? 'inline' : `${policy.holderType} ${code(policy.holder)}`}):`, '');
      lines.push(...table(['Sid', 'Effect', 'Actions', 'Resources', 'Conditions'], statementRows(policy.statements, false)), '');
    }
    if (identity.length === 0) lines.push('No identity policies.', '');
  }
  lines.push('### 3.2 Resource policies', '');
  for (const policy of all.filter((candidate) => candidate.kind === 'resource')) {
    lines.push(
      `#### ${policy.holderType.replace(/^AWS::/, '')} ${code(policy.holder)}`,
      '',
      `${describeResource(input, policy.holder)} — applies to ${policy.subjects.map((subject) => code(renderValue(subject))).join(', ')}.`,
      '',
      ...table(['Sid', 'Effect', 'Principal', 'Actions', 'Resources', 'Conditions'], statementRows(policy.statements, true)),
      '',
    );
  }
  lines.push('### 3.3 Every `Resource: "*"`', '');
  const stars = all.flatMap((policy) => policy.statements.filter(hasResourceStar).map((statement) => ({ policy, statement })));
  const identityStars = stars.filter(({ policy }) => policy.kind === 'identity').length;
  lines.push(`${stars.length} statement(s) with \`Resource: "*"\`, ${identityStars} of them in identity policies.`, '');
  lines.push(
    ...table(
      ['Policy', 'Sid', 'Effect', 'Principal', 'Actions', 'Conditions', 'Reason'],
      stars.map(({ policy, statement }) => [
        `${policy.kind} policy of ${code(policy.holder)}`,
        statement.Sid ? code(statement.Sid) : '—',
        statement.Effect,
        codeList(renderPrincipal(statement.Principal)),
        codeList(renderList(statement.Action)),
        codeList(renderConditions(statement.Condition)),
        cell(resourceStarReason(policy, statement) ?? '**NO REASON RECORDED**'),
      ]),
    ),
    '',
  );
  return lines;
}
