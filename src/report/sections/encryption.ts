import { cell, code, table } from '../markdown';
import { renderValue } from '../render-intrinsics';
import { describeResource, type ReportInput } from '../report-input';
import { asArray, type CfnTemplate, ofType, policies } from '../template';

/** One row per resource that holds data: what encrypts it (`key` rendered, or `none`) and how it is protected. */
export interface EncryptionRow {
  readonly logicalId: string;
  readonly type: string;
  readonly encryption: string;
  readonly key: string;
  readonly details: string[];
}

/** Whether a resource policy of `logicalId` denies requests without TLS (`aws:SecureTransport` = false). */
function sslOnly(template: CfnTemplate, logicalId: string): boolean {
  return policies(template).some(
    (policy) =>
      policy.kind === 'resource' &&
      policy.subjects.some((subject) => renderValue(subject) === renderValue({ Ref: logicalId })) &&
      policy.statements.some((statement) => statement.Effect === 'Deny' && String(statement.Condition?.Bool?.['aws:SecureTransport']) === 'false'),
  );
}

export function encryptionRows(template: CfnTemplate): EncryptionRow[] {
  const rows: EncryptionRow[] = [];
  for (const [id, key] of ofType(template, 'AWS::KMS::Key')) {
    const p = key.Properties ?? {};
    rows.push({
      logicalId: id,
      type: key.Type,
      encryption: `${p.KeySpec ?? 'SYMMETRIC_DEFAULT'} customer-managed key`,
      key: renderValue({ Ref: id }),
      details: [`rotation ${p.EnableKeyRotation ? `on${p.RotationPeriodInDays ? ` (${p.RotationPeriodInDays} days)` : ' (yearly)'}` : 'OFF'}`, `deletion policy ${key.DeletionPolicy ?? 'Delete'}`, ...(p.PendingWindowInDays ? [`pending window ${p.PendingWindowInDays} days`] : [])],
    });
  }
  for (const [id, topic] of ofType(template, 'AWS::SNS::Topic')) {
    const keyId = topic.Properties?.KmsMasterKeyId;
    rows.push({ logicalId: id, type: topic.Type, encryption: keyId ? 'SSE-KMS' : 'none', key: keyId ? renderValue(keyId) : 'none', details: [`SSL-only topic policy: ${sslOnly(template, id) ? 'yes' : 'NO'}`] });
  }
  for (const [id, queue] of ofType(template, 'AWS::SQS::Queue')) {
    const p = queue.Properties ?? {};
    rows.push({
      logicalId: id,
      type: queue.Type,
      encryption: p.KmsMasterKeyId ? 'SSE-KMS' : p.SqsManagedSseEnabled === false ? 'none' : 'SSE-SQS',
      key: p.KmsMasterKeyId ? renderValue(p.KmsMasterKeyId) : 'SQS-owned',
      details: [`SSL-only queue policy: ${sslOnly(template, id) ? 'yes' : 'NO'}`, `retention ${p.MessageRetentionPeriod ?? 345600} s`],
    });
  }
  for (const [id, bucket] of ofType(template, 'AWS::S3::Bucket')) {
    const p = bucket.Properties ?? {};
    const rule = asArray<any>(p.BucketEncryption?.ServerSideEncryptionConfiguration)[0];
    const sse = rule?.ServerSideEncryptionByDefault;
    const bpa = p.PublicAccessBlockConfiguration ?? {};
    const bpaFlags = ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'];
    rows.push({
      logicalId: id,
      type: bucket.Type,
      encryption: sse ? (sse.SSEAlgorithm === 'AES256' ? 'SSE-S3 (AES256)' : `SSE-KMS (${sse.SSEAlgorithm})`) : 'S3 default (SSE-S3)',
      key: sse?.KMSMasterKeyID ? renderValue(sse.KMSMasterKeyID) : 'S3-managed',
      details: [
        `Block Public Access: ${bpaFlags.every((flag) => bpa[flag] === true) ? 'all four on' : `partial (${bpaFlags.filter((flag) => bpa[flag] === true).join(', ') || 'none'})`}`,
        `SSL-only bucket policy: ${sslOnly(template, id) ? 'yes' : 'NO'}`,
        `versioning: ${p.VersioningConfiguration?.Status ?? 'off'}`,
        ...(rule?.BucketKeyEnabled ? ['S3 Bucket Key on'] : []),
        `object ownership: ${asArray<any>(p.OwnershipControls?.Rules)[0]?.ObjectOwnership ?? 'default'}`,
        `access logs: ${p.LoggingConfiguration ? `to ${renderValue(p.LoggingConfiguration.DestinationBucketName)}/${p.LoggingConfiguration.LogFilePrefix ?? ''}` : 'none'}`,
        `deletion policy ${bucket.DeletionPolicy ?? 'Delete'}`,
      ],
    });
  }
  for (const [id, table] of ofType(template, 'AWS::DynamoDB::Table')) {
    const p = table.Properties ?? {};
    const sse = p.SSESpecification ?? {};
    rows.push({
      logicalId: id,
      type: table.Type,
      encryption: sse.SSEEnabled ? (sse.KMSMasterKeyId ? 'SSE-KMS (customer-managed key)' : 'SSE-KMS (AWS-managed key)') : 'DynamoDB-owned key',
      key: sse.KMSMasterKeyId ? renderValue(sse.KMSMasterKeyId) : 'DynamoDB-owned',
      details: [
        `point-in-time recovery: ${p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled ? 'on' : 'OFF'}`,
        `TTL: ${p.TimeToLiveSpecification?.Enabled ? `on (${p.TimeToLiveSpecification.AttributeName})` : 'off'}`,
        `billing ${p.BillingMode ?? 'PROVISIONED'}`,
        `deletion policy ${table.DeletionPolicy ?? 'Delete'}`,
      ],
    });
  }
  for (const [id, group] of ofType(template, 'AWS::Logs::LogGroup')) {
    const p = group.Properties ?? {};
    rows.push({
      logicalId: id,
      type: group.Type,
      encryption: p.KmsKeyId ? 'SSE-KMS' : 'CloudWatch Logs service encryption',
      key: p.KmsKeyId ? renderValue(p.KmsKeyId) : 'CloudWatch Logs-managed',
      details: [`retention ${p.RetentionInDays ? `${p.RetentionInDays} days` : 'NEVER EXPIRES'}`],
    });
  }
  for (const [id, fn] of ofType(template, 'AWS::Lambda::Function')) {
    const p = fn.Properties ?? {};
    rows.push({
      logicalId: id,
      type: fn.Type,
      encryption: 'environment variables at rest',
      key: p.KmsKeyArn ? renderValue(p.KmsKeyArn) : 'AWS-managed key (aws/lambda)',
      details: [`runtime ${p.Runtime}`, `architecture ${asArray(p.Architectures).join(', ') || 'x86_64'}`, `reserved concurrency ${p.ReservedConcurrentExecutions ?? 'none'}`, `code ${renderValue(p.Code?.S3Key)}`],
    });
  }
  return rows;
}

export function encryptionSection(input: ReportInput): string[] {
  return [
    '## 4. Encryption and data protection',
    '',
    ...table(
      ['Resource', 'Type', 'Encryption', 'Key', 'Protection'],
      encryptionRows(input.template).map((row) => [describeResource(input, row.logicalId), row.type, row.encryption, code(row.key), row.details.map(cell).join('<br>')]),
    ),
    '',
  ];
}
