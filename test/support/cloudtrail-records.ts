/** Builders of realistic CloudTrail records for unit tests; each call returns a fresh object. */

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export function assumedRoleIdentity(session = 'alice@example.com', role = 'DataEngineer'): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLEROLEID1234:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAEXAMPLEKEY123456',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLEROLEID1234',
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
      attributes: { creationDate: '2026-11-20T03:01:12Z', mfaAuthenticated: 'false' },
    },
  };
}

export function startExportTaskRecord(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: assumedRoleIdentity(),
    eventTime: '2026-11-20T03:15:42Z',
    eventSource: 'rds.amazonaws.com',
    eventName: 'StartExportTask',
    awsRegion: REGION,
    sourceIPAddress: '203.0.113.24',
    userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64.amzn.2023 prompt/off command/rds.start-export-task',
    requestParameters: {
      exportTaskIdentifier: 'orders-prod-export-20261120',
      sourceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:orders-prod-2026-11-20`,
      s3BucketName: 'corp-exports',
      s3Prefix: 'nightly',
      iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/rds-s3-export`,
      kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    },
    responseElements: {
      exportTaskIdentifier: 'orders-prod-export-20261120',
      sourceArn: `arn:aws:rds:${REGION}:${ACCOUNT}:snapshot:orders-prod-2026-11-20`,
      snapshotTime: 'Nov 20, 2026 3:00:05 AM',
      s3Bucket: 'corp-exports',
      s3Prefix: 'nightly',
      iamRoleArn: `arn:aws:iam::${ACCOUNT}:role/rds-s3-export`,
      kmsKeyId: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      status: 'STARTING',
      percentProgress: 0,
      sourceType: 'SNAPSHOT',
    },
    requestID: '6c1f3a2e-93b4-4d6e-9a51-0f2b7c8d9e10',
    eventID: 'b7e2c1d4-5f6a-4b8c-9d0e-1f2a3b4c5d6e',
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
    tlsDetails: {
      tlsVersion: 'TLSv1.3',
      cipherSuite: 'TLS_AES_128_GCM_SHA256',
      clientProvidedHostHeader: `rds.${REGION}.amazonaws.com`,
    },
    ...overrides,
  };
}
