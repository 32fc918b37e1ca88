/**
 * Realistic CloudTrail records for each of Elastic's AWS EQL rules: one the rule must alert on and the near misses
 * it must not, each saying why. The records follow the shapes CloudTrail logs for these calls (request parameters
 * as AWS writes them); the tests normalize them with `normalizeCloudTrail`, so the rules see the real ECS field
 * shapes (for example `aws.cloudtrail.request_parameters` as Elastic's flattened `{key=value, …}` text).
 */
import { ACCOUNT, REGION, assumedRoleIdentity } from '../../../support/cloudtrail-records';

export const OTHER_ACCOUNT = '999988887777';

type Record = { [key: string]: unknown };

export function apiCall(eventSource: string, eventName: string, requestParameters: Record | null, overrides: Record = {}): Record {
  return {
    eventVersion: '1.09',
    userIdentity: assumedRoleIdentity(),
    eventTime: '2026-11-20T03:15:42Z',
    eventSource,
    eventName,
    awsRegion: REGION,
    sourceIPAddress: '203.0.113.24',
    userAgent: 'aws-cli/2.15.30 md/awscrt#0.19.19 ua/2.0 os/linux#6.1.0 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe prompt/off',
    requestParameters,
    responseElements: null,
    requestID: '6c1f3a2e-93b4-4d6e-9a51-0f2b7c8d9e10',
    eventID: 'b7e2c1d4-5f6a-4b8c-9d0e-1f2a3b4c5d6e',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    ...overrides,
  };
}

export function iamUserIdentity(accessKeyId = 'AKIAEXAMPLELONGTERM1'): Record {
  return {
    type: 'IAMUser',
    principalId: 'AIDAEXAMPLEUSERID1234',
    arn: `arn:aws:iam::${ACCOUNT}:user/ci-deployer`,
    accountId: ACCOUNT,
    accessKeyId,
    userName: 'ci-deployer',
  };
}

/** The call failed: every rule requires `event.outcome == "success"`. */
export function failed(record: Record): Record {
  return { ...record, errorCode: 'AccessDenied', errorMessage: 'User is not authorized to perform this operation', responseElements: null };
}

export interface RuleRecords {
  readonly alerts: Record;
  readonly ignores: readonly { readonly why: string; readonly record: Record }[];
}

const s3Policy = (principal: unknown, condition?: Record): Record => ({
  bucketName: 'corp-data',
  Host: 'corp-data.s3.amazonaws.com',
  policy: '',
  bucketPolicy: {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'Share',
        Effect: 'Allow',
        Principal: principal,
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: ['arn:aws:s3:::corp-data', 'arn:aws:s3:::corp-data/*'],
        ...(condition ? { Condition: condition } : {}),
      },
    ],
  },
});

const lambdaPermission = (principal: string): Record => ({
  functionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:billing-export`,
  statementId: 'invoke-permission',
  action: 'lambda:InvokeFunction',
  principal,
});

const attachPolicy = (eventName: string, target: Record, policyArn: string): Record =>
  apiCall('iam.amazonaws.com', eventName, { ...target, policyArn });

const ADMIN_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';
const READ_ONLY_POLICY = 'arn:aws:iam::aws:policy/ReadOnlyAccess';

const ec2SnapshotPermission = (change: 'add' | 'remove', items: Record[], overrides: Record = {}): Record =>
  apiCall('ec2.amazonaws.com', 'ModifySnapshotAttribute', {
    snapshotId: 'snap-0a1b2c3d4e5f67890',
    createVolumePermission: { [change]: { items } },
    attributeType: 'CREATE_VOLUME_PERMISSION',
  }, overrides);

const modifyDbInstance = (parameters: Record): Record =>
  apiCall('rds.amazonaws.com', 'ModifyDBInstance', { dBInstanceIdentifier: 'orders-prod', applyImmediately: true, ...parameters });

const putObject = (key: string, identity: Record = assumedRoleIdentity()): Record =>
  apiCall('s3.amazonaws.com', 'PutObject', { bucketName: 'corp-data', Host: 'corp-data.s3.amazonaws.com', key }, {
    userIdentity: identity,
    readOnly: false,
    managementEvent: false,
    eventCategory: 'Data',
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::corp-data/${key}` },
      { accountId: ACCOUNT, type: 'AWS::S3::Bucket', ARN: 'arn:aws:s3:::corp-data' },
    ],
  });

const consoleSignIn = (eventName: string, session: string): Record => ({
  ...apiCall('signin.amazonaws.com', eventName, null, {
    userIdentity: {
      ...assumedRoleIdentity(session, 'EC2InstanceConnectRole'),
      principalId: `AROAEXAMPLEROLEID1234:${session}`,
    },
    eventType: 'AwsConsoleSignIn',
    readOnly: false,
    responseElements: eventName === 'ConsoleLogin' ? { ConsoleLogin: 'Success' } : null,
    additionalEventData: { MobileVersion: 'No', MFAUsed: 'No' },
  }),
});

/** Records for every single-event rule, by rule file name. */
export const SINGLE_EVENT_RULE_RECORDS: Readonly<{ [file: string]: RuleRecords }> = {
  'credential_access_iam_compromisedkeyquarantine_policy_attached_to_user.toml': {
    alerts: attachPolicy('AttachUserPolicy', { userName: 'leaked-key-user' }, 'arn:aws:iam::aws:policy/AWSCompromisedKeyQuarantineV2'),
    ignores: [{ why: 'another managed policy', record: attachPolicy('AttachUserPolicy', { userName: 'bob' }, READ_ONLY_POLICY) }],
  },
  'defense_evasion_s3_bucket_lifecycle_expiration_added.toml': {
    alerts: apiCall('s3.amazonaws.com', 'PutBucketLifecycle', {
      bucketName: 'corp-data',
      Host: 'corp-data.s3.amazonaws.com',
      lifecycle: '',
      LifecycleConfiguration: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/', Rule: { ID: 'purge', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } } },
    }),
    ignores: [
      {
        why: 'a transition-only lifecycle rule',
        record: apiCall('s3.amazonaws.com', 'PutBucketLifecycle', {
          bucketName: 'corp-data',
          lifecycle: '',
          LifecycleConfiguration: { Rule: { ID: 'archive', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Transition: { Days: 30, StorageClass: 'GLACIER' } } },
        }),
      },
    ],
  },
  'defense_evasion_s3_bucket_server_access_logging_disabled.toml': {
    alerts: apiCall('s3.amazonaws.com', 'PutBucketLogging', {
      bucketName: 'corp-data',
      Host: 'corp-data.s3.amazonaws.com',
      logging: '',
      BucketLoggingStatus: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
    }),
    ignores: [
      {
        why: 'logging enabled',
        record: apiCall('s3.amazonaws.com', 'PutBucketLogging', {
          bucketName: 'corp-data',
          logging: '',
          BucketLoggingStatus: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/', LoggingEnabled: { TargetBucket: 'corp-logs', TargetPrefix: 'corp-data/' } },
        }),
      },
    ],
  },
  'exfiltration_ec2_ebs_snapshot_shared_with_another_account.toml': {
    alerts: ec2SnapshotPermission('add', [{ userId: OTHER_ACCOUNT }]),
    ignores: [{ why: 'permission removed, not added', record: ec2SnapshotPermission('remove', [{ userId: OTHER_ACCOUNT }]) }],
  },
  'exfiltration_rds_snapshot_shared_with_another_account.toml': {
    alerts: apiCall('rds.amazonaws.com', 'ModifyDBSnapshotAttribute', {
      dBSnapshotIdentifier: 'orders-prod-2026-11-20',
      attributeName: 'restore',
      valuesToAdd: [OTHER_ACCOUNT],
    }, {
      responseElements: { dBSnapshotIdentifier: 'orders-prod-2026-11-20', dBSnapshotAttributes: [{ attributeName: 'restore', attributeValues: [OTHER_ACCOUNT] }] },
    }),
    ignores: [
      {
        why: 'an account removed from restore',
        record: apiCall('rds.amazonaws.com', 'ModifyDBSnapshotAttribute', { dBSnapshotIdentifier: 'orders-prod-2026-11-20', attributeName: 'restore', valuesToRemove: [OTHER_ACCOUNT] }),
      },
      {
        why: 'a cluster snapshot shared by the EC2 API name is another provider',
        record: apiCall('ec2.amazonaws.com', 'ModifyDBSnapshotAttribute', { attributeName: 'restore', valuesToAdd: [OTHER_ACCOUNT] }),
      },
    ],
  },
  'exfiltration_s3_bucket_policy_added_for_external_account_access.toml': {
    alerts: apiCall('s3.amazonaws.com', 'PutBucketPolicy', s3Policy({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` })),
    ignores: [
      { why: 'a principal of the bucket owner account', record: apiCall('s3.amazonaws.com', 'PutBucketPolicy', s3Policy({ AWS: `arn:aws:iam::${ACCOUNT}:role/Reader` })) },
      { why: 'a CloudFront origin access identity', record: apiCall('s3.amazonaws.com', 'PutBucketPolicy', s3Policy({ AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2QWRUHAPOMQZL' })) },
    ],
  },
  'exfiltration_s3_bucket_policy_added_for_public_access.toml': {
    alerts: apiCall('s3.amazonaws.com', 'PutBucketPolicy', s3Policy('*')),
    ignores: [{ why: 'a named principal, not *', record: apiCall('s3.amazonaws.com', 'PutBucketPolicy', s3Policy({ AWS: `arn:aws:iam::${OTHER_ACCOUNT}:root` })) }],
  },
  'exfiltration_s3_bucket_replicated_to_external_account.toml': {
    alerts: apiCall('s3.amazonaws.com', 'PutBucketReplication', {
      bucketName: 'corp-data',
      replication: '',
      ReplicationConfiguration: {
        Role: `arn:aws:iam::${ACCOUNT}:role/s3-replication`,
        Rule: { ID: 'to-dr', Status: 'Enabled', Priority: 1, Filter: { Prefix: '' }, DeleteMarkerReplication: { Status: 'Disabled' }, Destination: { Bucket: 'arn:aws:s3:::dr-copy', Account: OTHER_ACCOUNT } },
      },
    }),
    ignores: [
      {
        why: 'replication inside the account',
        record: apiCall('s3.amazonaws.com', 'PutBucketReplication', {
          bucketName: 'corp-data',
          replication: '',
          ReplicationConfiguration: { Role: `arn:aws:iam::${ACCOUNT}:role/s3-replication`, Rule: { ID: 'to-dr', Status: 'Enabled', Destination: { Bucket: 'arn:aws:s3:::dr-copy' } } },
        }),
      },
    ],
  },
  'impact_ec2_ebs_snapshot_access_removed.toml': {
    alerts: ec2SnapshotPermission('remove', [{ group: 'all' }]),
    ignores: [
      { why: 'AWS Backup does it', record: ec2SnapshotPermission('remove', [{ userId: OTHER_ACCOUNT }], { sourceIPAddress: 'backup.amazonaws.com', userAgent: 'backup.amazonaws.com' }) },
      { why: 'access added, not removed', record: ec2SnapshotPermission('add', [{ userId: OTHER_ACCOUNT }]) },
    ],
  },
  'impact_rds_instance_cluster_deletion_protection_disabled.toml': {
    alerts: modifyDbInstance({ deletionProtection: false }),
    ignores: [{ why: 'protection enabled', record: modifyDbInstance({ deletionProtection: true }) }],
  },
  'impact_rds_snapshot_deleted.toml': {
    alerts: apiCall('rds.amazonaws.com', 'DeleteDBSnapshot', { dBSnapshotIdentifier: 'orders-prod-2026-11-20' }),
    ignores: [
      {
        why: 'AWS Backup deleting its own recovery point',
        record: apiCall('rds.amazonaws.com', 'DeleteDBSnapshot', { dBSnapshotIdentifier: 'awsbackup:job-1234' }, { sourceIPAddress: 'backup.amazonaws.com', userAgent: 'backup.amazonaws.com' }),
      },
      { why: 'a retention change that keeps backups', record: modifyDbInstance({ backupRetentionPeriod: 7 }) },
    ],
  },
  'impact_s3_bucket_object_uploaded_with_ransom_keyword.toml': {
    alerts: putObject('README_HOW_TO_DECRYPT_YOUR_FILES.txt'),
    ignores: [
      { why: 'an ordinary object', record: putObject('exports/2026/11/orders.csv') },
      { why: 'CloudTrail log delivery', record: putObject(`AWSLogs/${ACCOUNT}/CloudTrail/${REGION}/2026/11/20/help.json.gz`) },
      { why: 'uploaded by an AWS service', record: putObject('restore-manifest.json', { type: 'AWSService', invokedBy: 'backup.amazonaws.com' }) },
    ],
  },
  'impact_s3_object_versioning_disabled.toml': {
    alerts: apiCall('s3.amazonaws.com', 'PutBucketVersioning', {
      bucketName: 'corp-data',
      Host: 'corp-data.s3.amazonaws.com',
      versioning: '',
      VersioningConfiguration: { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/', Status: 'Suspended' },
    }),
    ignores: [
      { why: 'versioning enabled', record: apiCall('s3.amazonaws.com', 'PutBucketVersioning', { bucketName: 'corp-data', versioning: '', VersioningConfiguration: { Status: 'Enabled' } }) },
    ],
  },
  'initial_access_suspicious_user_agent_detected_in_cloudtrail.toml': {
    alerts: apiCall('sts.amazonaws.com', 'GetCallerIdentity', null, {
      readOnly: true,
      userAgent:
        'aws-cli/2.15.30 md/Botocore#1.34.30 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 md/pyimpl#CPython md/distrib#kali.2024 cfg/retry-mode#standard prompt/off command/sts.get-caller-identity',
    }),
    ignores: [{ why: 'an ordinary client', record: apiCall('sts.amazonaws.com', 'GetCallerIdentity', null, { readOnly: true }) }],
  },
  'lateral_movement_ec2_instance_console_login.toml': {
    alerts: consoleSignIn('GetSigninToken', 'i-0123456789abcdef0'),
    ignores: [{ why: 'a person, not an instance', record: consoleSignIn('GetSigninToken', 'alice@example.com') }],
  },
  'persistence_aws_attempt_to_register_virtual_mfa_device.toml': {
    alerts: apiCall('iam.amazonaws.com', 'CreateVirtualMFADevice', { virtualMFADeviceName: 'attacker-mfa', path: '/' }),
    ignores: [
      { why: 'a console session', record: apiCall('iam.amazonaws.com', 'CreateVirtualMFADevice', { virtualMFADeviceName: 'alice-mfa', path: '/' }, { sessionCredentialFromConsole: 'true' }) },
      { why: 'a long-term key, not a session token', record: apiCall('iam.amazonaws.com', 'CreateVirtualMFADevice', { virtualMFADeviceName: 'ci-mfa' }, { userIdentity: iamUserIdentity() }) },
    ],
  },
  'persistence_iam_create_login_profile_for_root.toml': {
    alerts: apiCall('iam.amazonaws.com', 'CreateLoginProfile', { passwordResetRequired: false }, {
      userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: 'ASIAEXAMPLEROOTKEY12' },
    }),
    ignores: [
      {
        why: 'root creating a profile for another user',
        record: apiCall('iam.amazonaws.com', 'CreateLoginProfile', { userName: 'bob', passwordResetRequired: true }, {
          userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT },
        }),
      },
      { why: 'not root', record: apiCall('iam.amazonaws.com', 'CreateLoginProfile', { passwordResetRequired: false }) },
    ],
  },
  'persistence_iam_roles_anywhere_trusted_anchor_created_with_external_ca.toml': {
    alerts: apiCall('rolesanywhere.amazonaws.com', 'CreateTrustAnchor', {
      name: 'partner-ca',
      enabled: true,
      source: { sourceType: 'CERTIFICATE_BUNDLE', sourceData: { x509CertificateData: '-----BEGIN CERTIFICATE-----MIIB…' } },
    }),
    ignores: [
      {
        why: 'an AWS Private CA',
        record: apiCall('rolesanywhere.amazonaws.com', 'CreateTrustAnchor', {
          name: 'corp-ca',
          enabled: true,
          source: { sourceType: 'AWS_ACM_PCA', sourceData: { acmPcaArn: `arn:aws:acm-pca:${REGION}:${ACCOUNT}:certificate-authority/1234` } },
        }),
      },
    ],
  },
  'persistence_lambda_backdoor_invoke_function_for_any_principal.toml': {
    alerts: apiCall('lambda.amazonaws.com', 'AddPermission20150331v2', lambdaPermission('*')),
    ignores: [{ why: 'one named account', record: apiCall('lambda.amazonaws.com', 'AddPermission20150331v2', lambdaPermission(OTHER_ACCOUNT)) }],
  },
  'persistence_lambda_cross_account_invocation_backdoor.toml': {
    alerts: apiCall('lambda.amazonaws.com', 'AddPermission20150331v2', lambdaPermission(OTHER_ACCOUNT)),
    ignores: [
      { why: 'anyone (the public-invocation rule covers it)', record: apiCall('lambda.amazonaws.com', 'AddPermission20150331v2', lambdaPermission('*')) },
      { why: 'an AWS service principal', record: apiCall('lambda.amazonaws.com', 'AddPermission20150331v2', lambdaPermission('s3.amazonaws.com')) },
    ],
  },
  'persistence_lambda_function_url_public_access.toml': {
    alerts: apiCall('lambda.amazonaws.com', 'CreateFunctionUrlConfig20211031', { functionName: 'billing-export', authType: 'NONE' }),
    ignores: [
      { why: 'IAM authentication', record: apiCall('lambda.amazonaws.com', 'CreateFunctionUrlConfig20211031', { functionName: 'billing-export', authType: 'AWS_IAM' }) },
      {
        why: 'deployed by Terraform',
        record: apiCall('lambda.amazonaws.com', 'CreateFunctionUrlConfig20211031', { functionName: 'billing-export', authType: 'NONE' }, { userAgent: 'APN/1.0 HashiCorp/1.0 Terraform/1.6.6 (+https://www.terraform.io) terraform-provider-aws/5.31.0' }),
      },
    ],
  },
  'persistence_rds_db_instance_password_modified.toml': {
    alerts: modifyDbInstance({ masterUserPassword: 'HIDDEN_DUE_TO_SECURITY_REASONS' }),
    ignores: [{ why: 'another setting', record: modifyDbInstance({ dBInstanceClass: 'db.r6g.large' }) }],
  },
  'persistence_rds_instance_made_public.toml': {
    alerts: modifyDbInstance({ publiclyAccessible: true }),
    ignores: [{ why: 'made private', record: modifyDbInstance({ publiclyAccessible: false }) }],
  },
  'privilege_escalation_iam_administratoraccess_policy_attached_to_group.toml': {
    alerts: attachPolicy('AttachGroupPolicy', { groupName: 'Developers' }, ADMIN_POLICY),
    ignores: [{ why: 'a read-only policy', record: attachPolicy('AttachGroupPolicy', { groupName: 'Developers' }, READ_ONLY_POLICY) }],
  },
  'privilege_escalation_iam_administratoraccess_policy_attached_to_role.toml': {
    alerts: attachPolicy('AttachRolePolicy', { roleName: 'ci-deploy' }, ADMIN_POLICY),
    ignores: [{ why: 'attached to a user, not a role', record: attachPolicy('AttachUserPolicy', { userName: 'bob' }, ADMIN_POLICY) }],
  },
  'privilege_escalation_iam_administratoraccess_policy_attached_to_user.toml': {
    alerts: attachPolicy('AttachUserPolicy', { userName: 'bob' }, ADMIN_POLICY),
    ignores: [{ why: 'a read-only policy', record: attachPolicy('AttachUserPolicy', { userName: 'bob' }, READ_ONLY_POLICY) }],
  },
};

export const BEDROCK_SEQUENCE_RULE = 'discovery_bedrock_model_recon_and_invocation_via_long_term_key.toml';

/** `ListFoundationModels` then `InvokeModel`, by an IAM user's long-term key, at the given times. */
export function bedrockCall(eventName: 'ListFoundationModels' | 'InvokeModel' | 'Converse', eventTime: string, accessKeyId = 'AKIAEXAMPLELONGTERM1'): Record {
  const parameters = eventName === 'ListFoundationModels' ? { byOutputModality: 'TEXT' } : { modelId: 'anthropic.claude-3-haiku-20240307-v1:0' };
  return apiCall('bedrock.amazonaws.com', eventName, parameters, {
    userIdentity: iamUserIdentity(accessKeyId),
    eventTime,
    readOnly: eventName === 'ListFoundationModels',
    managementEvent: eventName === 'ListFoundationModels',
    eventCategory: eventName === 'ListFoundationModels' ? 'Management' : 'Data',
    eventID: `${eventName}-${eventTime}`,
  });
}
