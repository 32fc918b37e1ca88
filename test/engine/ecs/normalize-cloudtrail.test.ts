import { InvalidCloudTrailRecordError, normalizeCloudTrail } from '../../../src/engine/ecs';

const RECEIVED_AT = new Date('2026-11-20T03:16:00.250Z');
const ACCOUNT = '123456789012';

type Doc = Record<string, any>;

function normalize(record: unknown, options: Partial<Parameters<typeof normalizeCloudTrail>[1]> = {}): Doc {
  return normalizeCloudTrail(record, { receivedAt: RECEIVED_AT, ...options }) as Doc;
}

function apiCall(overrides: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    eventTime: '2026-11-20T03:15:42Z',
    eventSource: 'iam.amazonaws.com',
    eventName: 'ListUsers',
    awsRegion: 'us-east-1',
    sourceIPAddress: '203.0.113.24',
    userAgent: 'aws-cli/2.15.30',
    requestID: 'req-1',
    eventID: 'evt-1',
    eventType: 'AwsApiCall',
    recipientAccountId: ACCOUNT,
    ...overrides,
  };
}

describe('common fields', () => {
  const doc = normalize(apiCall({ userIdentity: { type: 'IAMUser', userName: 'alice', principalId: 'AIDAEXAMPLE', accountId: ACCOUNT } }));

  test('event, cloud and data stream fields', () => {
    expect(doc['@timestamp']).toBe('2026-11-20T03:15:42.000Z');
    expect(doc.ecs).toEqual({ version: '8.11.0' });
    expect(doc.event).toMatchObject({
      kind: 'event',
      category: ['iam'],
      type: ['user', 'info'],
      action: 'ListUsers',
      provider: 'iam.amazonaws.com',
      outcome: 'success',
      id: 'evt-1',
      dataset: 'aws.cloudtrail',
      created: '2026-11-20T03:16:00.250Z',
      ingested: '2026-11-20T03:16:00.250Z',
    });
    expect(doc.data_stream).toEqual({ dataset: 'aws.cloudtrail', type: 'logs', namespace: 'default' });
    expect(doc.cloud).toEqual({ provider: 'aws', region: 'us-east-1', account: { id: ACCOUNT }, service: { name: 'iam' } });
    expect(doc.source).toEqual({ address: '203.0.113.24', ip: '203.0.113.24' });
    expect(doc.related.ip).toEqual(['203.0.113.24']);
    expect(doc.user_agent).toEqual({ original: 'aws-cli/2.15.30' });
  });

  test('event.original is the given raw text, else the serialized record', () => {
    expect(normalize({ eventName: 'X' }, { original: '{"eventName": "X"}' }).event.original).toBe('{"eventName": "X"}');
    expect(normalize({ eventName: 'X' }).event.original).toBe('{"eventName":"X"}');
  });

  test('unknown event names get type info and no category', () => {
    const unknown = normalize(apiCall({ eventName: 'StartExportTask' }));
    expect(unknown.event.type).toEqual(['info']);
    expect(unknown.event.category).toBeUndefined();
  });
});

describe('user identity types', () => {
  test('IAMUser: user name and id; e-mail user names double as user.email', () => {
    const doc = normalize(
      apiCall({
        userIdentity: {
          type: 'IAMUser',
          principalId: 'AIDAEXAMPLE',
          arn: `arn:aws:iam::${ACCOUNT}:user/bob@example.com`,
          accountId: ACCOUNT,
          accessKeyId: 'AKIAEXAMPLEEXAMPLE12',
          userName: 'bob@example.com',
        },
      }),
    );
    expect(doc.user).toEqual({
      name: 'bob@example.com',
      id: 'AIDAEXAMPLE',
      email: 'bob@example.com',
      entity: { id: [`arn:aws:iam::${ACCOUNT}:user/bob@example.com`] },
    });
    expect(doc.related.user).toEqual(['AIDAEXAMPLE', 'bob@example.com']);
    expect(doc.aws.cloudtrail.user_identity).toEqual({
      type: 'IAMUser',
      arn: `arn:aws:iam::${ACCOUNT}:user/bob@example.com`,
      access_key_id: 'AKIAEXAMPLEEXAMPLE12',
    });
    expect(doc.actor.entity.id).toEqual([`arn:aws:iam::${ACCOUNT}:user/bob@example.com`]);
  });

  test('Root: the account id is the user id and the root ARN the user entity', () => {
    const rootArn = `arn:aws:iam::${ACCOUNT}:root`;
    const doc = normalize(
      apiCall({ userIdentity: { type: 'Root', principalId: ACCOUNT, arn: rootArn, accountId: ACCOUNT, accessKeyId: 'ASIAROOT' } }),
    );
    expect(doc.user.id).toBe(ACCOUNT);
    expect(doc.user.name).toBeUndefined();
    expect(doc.user.entity.id).toEqual([rootArn]);
    expect(doc.cloud.account.id).toBe(ACCOUNT);
  });

  test('AssumedRole with an e-mail session name: role name as user.name, session e-mail as user.email', () => {
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/DataEngineer`;
    const sessionArn = `arn:aws:sts::${ACCOUNT}:assumed-role/DataEngineer/alice@example.com`;
    const doc = normalize(
      apiCall({
        userIdentity: {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLE:alice@example.com',
          arn: sessionArn,
          accountId: ACCOUNT,
          accessKeyId: 'ASIAEXAMPLE',
          sessionContext: {
            sessionIssuer: { type: 'Role', principalId: 'AROAEXAMPLE', arn: roleArn, accountId: ACCOUNT, userName: 'DataEngineer' },
            attributes: { creationDate: '20261120T030112Z', mfaAuthenticated: 'true' },
          },
        },
      }),
    );
    expect(doc.user).toEqual({
      name: 'DataEngineer',
      id: 'AROAEXAMPLE:alice@example.com',
      email: 'alice@example.com',
      entity: { id: [roleArn] },
    });
    expect(doc.related.user).toEqual(['alice@example.com', 'alice', 'AROAEXAMPLE:alice@example.com', 'DataEngineer']);
    expect(doc.aws.cloudtrail.user_identity.session_context).toEqual({
      creation_date: '2026-11-20T03:01:12.000Z',
      mfa_authenticated: 'true',
      session_issuer: { type: 'Role', principal_id: 'AROAEXAMPLE', arn: roleArn, account_id: ACCOUNT },
    });
    expect(doc.actor.entity.id).toEqual([sessionArn]);
  });

  test('AssumedRole with a plain session name: session name only in related.user', () => {
    const doc = normalize(
      apiCall({
        userIdentity: {
          type: 'AssumedRole',
          principalId: 'AROAEXAMPLE:deploy-42',
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/deploy-42`,
          sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${ACCOUNT}:role/Deployer`, userName: 'Deployer' } },
        },
      }),
    );
    expect(doc.user.name).toBe('Deployer');
    expect(doc.user.email).toBeUndefined();
    expect(doc.related.user).toEqual(['deploy-42', 'AROAEXAMPLE:deploy-42', 'Deployer']);
  });

  test('AWSService: service.name from invokedBy, no user fields', () => {
    const doc = normalize(
      apiCall({
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        sourceIPAddress: 'lambda.amazonaws.com',
        userIdentity: { type: 'AWSService', invokedBy: 'lambda.amazonaws.com' },
        requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/fn-role`, roleSessionName: 'fn' },
      }),
    );
    expect(doc.service).toEqual({ name: 'lambda.amazonaws.com', entity: { id: ['lambda.amazonaws.com'] } });
    expect(doc.user).toEqual({ target: { entity: { id: [`arn:aws:iam::${ACCOUNT}:role/fn-role`] } } });
    expect(doc.related.user).toBeUndefined();
    expect(doc.source).toEqual({ address: 'lambda.amazonaws.com' });
    expect(doc.cloud.account.id).toBe(ACCOUNT);
  });

  test('service-linked role sessions are service actors named after the role path', () => {
    const doc = normalize(
      apiCall({
        userIdentity: {
          type: 'AssumedRole',
          principalId: 'AROASLR:ElasticLoadBalancing',
          arn: `arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForElasticLoadBalancing/ElasticLoadBalancing`,
          sessionContext: {
            sessionIssuer: {
              arn: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`,
              userName: 'AWSServiceRoleForElasticLoadBalancing',
            },
          },
        },
      }),
    );
    expect(doc.service.name).toBe('elasticloadbalancing.amazonaws.com');
    expect(doc.user?.name).toBeUndefined();
    expect(doc.user?.id).toBeUndefined();
    expect(doc.service.entity.id).toEqual([`arn:aws:sts::${ACCOUNT}:assumed-role/AWSServiceRoleForElasticLoadBalancing/ElasticLoadBalancing`]);
  });

  test('FederatedUser: issuer user name, session name in related.user, federated-user ARN as user entity', () => {
    const federatedArn = `arn:aws:sts::${ACCOUNT}:federated-user/carol`;
    const doc = normalize(
      apiCall({
        userIdentity: {
          type: 'FederatedUser',
          principalId: `${ACCOUNT}:carol`,
          arn: federatedArn,
          accountId: ACCOUNT,
          sessionContext: { sessionIssuer: { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/broker`, userName: 'broker' } },
        },
      }),
    );
    expect(doc.user.name).toBe('broker');
    expect(doc.user.id).toBe(`${ACCOUNT}:carol`);
    expect(doc.user.entity.id).toEqual([federatedArn]);
    expect(doc.related.user).toEqual(['carol', `${ACCOUNT}:carol`, 'broker']);
  });
});

describe('outcome', () => {
  test('an errorCode alone means failure', () => {
    const doc = normalize(apiCall({ errorCode: 'AccessDenied' }));
    expect(doc.event.outcome).toBe('failure');
    expect(doc.aws.cloudtrail.error_code).toBe('AccessDenied');
    expect(doc.aws.cloudtrail.error_message).toBeUndefined();
  });

  test('an errorMessage alone means failure', () => {
    const doc = normalize(apiCall({ errorMessage: 'User is not authorized' }));
    expect(doc.event.outcome).toBe('failure');
    expect(doc.aws.cloudtrail.error_message).toBe('User is not authorized');
  });

  test('empty or placeholder error values do not count', () => {
    expect(normalize(apiCall({ errorCode: '', errorMessage: '-' })).event.outcome).toBe('success');
  });

  test('ConsoleLogin takes its own verdict', () => {
    const doc = normalize(apiCall({ eventName: 'ConsoleLogin', responseElements: { ConsoleLogin: 'Failure' } }));
    expect(doc.event.outcome).toBe('failure');
  });
});

describe('StartExportTask', () => {
  const sourceArn = `arn:aws:rds:us-east-1:${ACCOUNT}:snapshot:orders-2026-11-20`;
  const iamRoleArn = `arn:aws:iam::${ACCOUNT}:role/rds-s3-export`;
  const kmsKeyId = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd`;
  const doc = normalize(
    apiCall({
      eventSource: 'rds.amazonaws.com',
      eventName: 'StartExportTask',
      userIdentity: { type: 'IAMUser', userName: 'alice', principalId: 'AIDAEXAMPLE', arn: `arn:aws:iam::${ACCOUNT}:user/alice` },
      requestParameters: {
        exportTaskIdentifier: 'orders-export',
        sourceArn,
        s3BucketName: 'corp-exports',
        s3Prefix: '-',
        iamRoleArn,
        kmsKeyId,
        exportOnly: [],
      },
      responseElements: { status: 'STARTING', percentProgress: 0 },
    }),
  );

  test('request parameters land in the flattened object, "-" and empty values dropped', () => {
    expect(doc.aws.cloudtrail.flattened.request_parameters).toEqual({
      exportTaskIdentifier: 'orders-export',
      sourceArn,
      s3BucketName: 'corp-exports',
      iamRoleArn,
      kmsKeyId,
    });
    expect(doc.aws.cloudtrail.flattened.response_elements).toEqual({ status: 'STARTING', percentProgress: 0 });
  });

  test('the keyword string is a Java map rendering of the same keys', () => {
    const keyword: string = doc.aws.cloudtrail.request_parameters;
    expect(keyword).toMatch(/^\{.*\}$/);
    for (const entry of [`sourceArn=${sourceArn}`, 's3BucketName=corp-exports', `iamRoleArn=${iamRoleArn}`, `kmsKeyId=${kmsKeyId}`]) {
      expect(keyword).toContain(entry);
    }
    expect(keyword).not.toContain('s3Prefix');
    expect(keyword.split(', ')).toHaveLength(5);
  });

  test('RDS basics: provider, service, action; no category and no targets', () => {
    expect(doc.event).toMatchObject({ provider: 'rds.amazonaws.com', action: 'StartExportTask', type: ['info'] });
    expect(doc.cloud.service.name).toBe('rds');
    expect(doc.event.category).toBeUndefined();
    expect(doc.target).toBeUndefined();
  });
});

describe('"-" and "none" values', () => {
  test('vanish anywhere in the record before mapping', () => {
    const doc = normalize(
      apiCall({
        sourceIPAddress: '-',
        userAgent: 'none',
        userIdentity: { type: 'IAMUser', userName: '-', principalId: 'AIDAEXAMPLE' },
        requestParameters: { userName: '-', keep: 'yes' },
      }),
    );
    expect(doc.source).toBeUndefined();
    expect(doc.user_agent).toBeUndefined();
    expect(doc.user.name).toBeUndefined();
    expect(doc.user.target).toBeUndefined();
    expect(doc.aws.cloudtrail.request_parameters).toBe('{keep=yes}');
  });
});

describe('other mappings', () => {
  test('management_event becomes a string, read_only stays boolean', () => {
    const doc = normalize(apiCall({ managementEvent: true, readOnly: false }));
    expect(doc.aws.cloudtrail.management_event).toBe('true');
    expect(doc.aws.cloudtrail.read_only).toBe(false);
  });

  test('user.target / user.changes / group from payloads', () => {
    const doc = normalize(
      apiCall({
        eventName: 'UpdateUser',
        userIdentity: { type: 'IAMUser', userName: 'admin', principalId: 'AIDAADMIN' },
        requestParameters: { userName: 'Bob', newUserName: 'Robert', groupName: 'ops' },
        responseElements: { group: { groupId: 'AGPAEXAMPLE' }, user: { userId: 'AIDABOB' } },
      }),
    );
    expect(doc.user.target).toEqual({ name: 'Bob', id: 'AIDABOB' });
    expect(doc.user.changes).toEqual({ name: 'Robert' });
    expect(doc.group).toEqual({ id: 'AGPAEXAMPLE', name: 'ops' });
    expect(doc.related.user).toEqual(['Bob', 'Robert', 'AIDABOB', 'AIDAADMIN', 'admin']);
  });

  test('resources are renamed and deduplicated', () => {
    const resource = { ARN: 'arn:aws:s3:::b', accountId: ACCOUNT, type: 'AWS::S3::Bucket' };
    const doc = normalize(apiCall({ resources: [resource, { ...resource }] }));
    expect(doc.aws.cloudtrail.resources).toEqual([{ arn: 'arn:aws:s3:::b', account_id: ACCOUNT, type: 'AWS::S3::Bucket' }]);
  });

  test('source.ip only for a single valid address; host names go to related.hosts', () => {
    expect(normalize(apiCall({ sourceIPAddress: '1.2.3.4, 10.0.0.1' })).source).toEqual({ address: '1.2.3.4, 10.0.0.1' });
    const hostDoc = normalize(apiCall({ sourceIPAddress: 'build.example.com' }));
    expect(hostDoc.source.ip).toBeUndefined();
    expect(hostDoc.related.hosts).toEqual(['build.example.com']);
    expect(normalize(apiCall({ sourceIPAddress: '2001:db8::1' })).source.ip).toBe('2001:db8::1');
  });

  test('payloads whose string reaches 32766 characters keep no flattened copy', () => {
    const doc = normalize(apiCall({ requestParameters: { policyDocument: 'x'.repeat(40000) } }));
    expect(doc.aws.cloudtrail.request_parameters).toHaveLength(40000 + '{policyDocument=}'.length);
    expect(doc.aws.cloudtrail.flattened?.request_parameters).toBeUndefined();
  });

  test('digest files map to flattened.digest, file.path and related.hash', () => {
    const doc = normalize({
      awsAccountId: ACCOUNT,
      digestStartTime: '2020-09-11T18:36:49Z',
      digestEndTime: '2020-09-11T19:36:49Z',
      digestS3Bucket: 'trail-bucket',
      digestS3Object: 'AWSLogs/x/CloudTrail-Digest/y.json.gz',
      previousDigestHashValue: 'abc123',
      logFiles: [{ s3Bucket: 'trail-bucket', s3Object: 'o' }],
    });
    expect(doc['@timestamp']).toBe('2020-09-11T19:36:49.000Z');
    expect(doc.cloud.account.id).toBe(ACCOUNT);
    expect(doc.file.path).toBe('AWSLogs/x/CloudTrail-Digest/y.json.gz');
    expect(doc.related.hash).toEqual(['abc123']);
    expect(doc.aws.cloudtrail.flattened.digest).toMatchObject({ start_time: '2020-09-11T18:36:49Z', s3_bucket: 'trail-bucket' });
    expect(doc.event.action).toBeUndefined();
    expect(doc.event.outcome).toBe('success');
  });

  test('envelope values fill what the record lacks', () => {
    const doc = normalize(
      { eventName: 'X' },
      { envelope: { account: '999999999999', region: 'eu-west-1', id: 'env-id', time: '2026-01-01T00:00:00Z' } },
    );
    expect(doc.cloud.account.id).toBe('999999999999');
    expect(doc.cloud.region).toBe('eu-west-1');
    expect(doc.event.id).toBe('env-id');
    expect(doc['@timestamp']).toBe('2026-01-01T00:00:00.000Z');
  });

  test('an unparseable eventTime falls back to receivedAt and is reported like a pipeline error', () => {
    const doc = normalize(apiCall({ eventTime: 'yesterday' }));
    expect(doc['@timestamp']).toBe(RECEIVED_AT.toISOString());
    expect(doc.event.kind).toBe('pipeline_error');
    expect(doc.error.message).toEqual(['unable to parse date [yesterday] in field [eventTime]']);
  });
});

describe('invalid records', () => {
  test.each([[null], [[]], ['{"eventName":"X"}'], [42], [true]])('%j is rejected', (record) => {
    expect(() => normalize(record)).toThrow(InvalidCloudTrailRecordError);
  });
});
