import fc from 'fast-check';
import { normalizeCloudTrail } from '../../../src/engine/ecs';

const OPTIONS = { receivedAt: new Date('2026-11-20T03:16:00.000Z') };

const anyJson = fc.jsonValue({ maxDepth: 3 });
const awkwardScalar = fc.constantFrom<unknown>('-', 'none', '', null, 0, -1.5e-7, true, 'TLSv', 'v', '@', 'i-', 'arn:', 'arn:aws:sts::1:assumed-role/');
const anyValue = fc.oneof(anyJson, awkwardScalar, fc.string());
const arnLike = fc
  .tuple(fc.constantFrom('aws', 'aws-us-gov', ''), fc.constantFrom('iam', 'sts', 'ec2', 's3', ''), fc.string(), fc.string())
  .map(([partition, service, account, resource]) => `arn:${partition}:${service}::${account}:${resource}`);

const userIdentity = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('IAMUser', 'Root', 'AssumedRole', 'AWSService', 'FederatedUser', 'IdentityCenterUser', 'SAMLUser'),
      anyValue,
    ),
    principalId: anyValue,
    arn: fc.oneof(arnLike, anyValue),
    accountId: anyValue,
    accessKeyId: anyValue,
    userName: anyValue,
    invokedBy: anyValue,
    onBehalfOf: fc.oneof(fc.record({ userId: anyValue, identityStoreArn: anyValue }, { requiredKeys: [] }), anyValue),
    sessionContext: fc.oneof(
      fc.record(
        {
          attributes: fc.oneof(fc.record({ creationDate: anyValue, mfaAuthenticated: anyValue }, { requiredKeys: [] }), anyValue),
          sessionIssuer: fc.oneof(fc.record({ arn: fc.oneof(arnLike, anyValue), userName: anyValue }, { requiredKeys: [] }), anyValue),
          webIdFederationData: anyValue,
        },
        { requiredKeys: [] },
      ),
      anyValue,
    ),
  },
  { requiredKeys: [] },
);

const payload = fc.oneof(fc.dictionary(fc.string(), anyValue), anyValue);

const cloudTrailShaped = fc.record(
  {
    eventVersion: anyValue,
    userIdentity: fc.oneof(userIdentity, anyValue),
    eventTime: fc.oneof(fc.date({ noInvalidDate: true }).map((date) => date.toISOString()), anyValue),
    eventSource: fc.oneof(fc.constantFrom('sts.amazonaws.com', 'ec2.amazonaws.com', 's3.amazonaws.com', 'rds.amazonaws.com', 'ssm.amazonaws.com', 'ec2-instance-connect.amazonaws.com', '.amazonaws.com'), anyValue),
    eventName: fc.oneof(fc.constantFrom('AssumeRole', 'ConsoleLogin', 'RunInstances', 'GetObject', 'OpenControlChannel', 'SendSSHPublicKey', 'DeleteDBInstance', 'DescribeDBInstances', 'UserAuthentication'), anyValue),
    awsRegion: anyValue,
    sourceIPAddress: anyValue,
    userAgent: anyValue,
    errorCode: anyValue,
    errorMessage: anyValue,
    requestParameters: payload,
    responseElements: payload,
    additionalEventData: payload,
    serviceEventDetails: payload,
    resources: fc.oneof(fc.array(fc.oneof(fc.record({ ARN: fc.oneof(arnLike, anyValue), accountId: anyValue, type: anyValue }, { requiredKeys: [] }), anyValue)), anyValue),
    tlsDetails: fc.oneof(fc.record({ tlsVersion: anyValue, cipherSuite: anyValue, clientProvidedHostHeader: anyValue }, { requiredKeys: [] }), anyValue),
    readOnly: anyValue,
    managementEvent: anyValue,
    recipientAccountId: anyValue,
    addendum: anyValue,
    insightDetails: anyValue,
    digestEndTime: anyValue,
    logFiles: anyValue,
  },
  { requiredKeys: [] },
);

function expectSerializableDocument(record: Record<string, unknown>): void {
  const document = normalizeCloudTrail(record, OPTIONS);
  expect(JSON.parse(JSON.stringify(document))).toBeDefined();
  expect((document.ecs as { version: string }).version).toBe('8.11.0');
}

describe('normalizeCloudTrail never throws for a JSON object', () => {
  test('CloudTrail-shaped records with arbitrary member types', () => {
    fc.assert(
      fc.property(cloudTrailShaped, (record) => {
        expectSerializableDocument(record as Record<string, unknown>);
      }),
      { numRuns: 500 },
    );
  });

  test('arbitrary JSON objects', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), anyJson), (record) => {
        expectSerializableDocument(record);
      }),
      { numRuns: 300 },
    );
  });

  test('100 KB strings in every string member', () => {
    const huge = 'a/@.i-'.repeat(20000);
    const record = {
      eventTime: huge,
      eventSource: `${huge}.amazonaws.com`,
      eventName: huge,
      sourceIPAddress: huge,
      userIdentity: { type: 'AssumedRole', arn: `arn:aws:sts::${huge}\n${huge}`, sessionContext: { sessionIssuer: { arn: huge } } },
      requestParameters: { [huge]: huge, userName: huge },
      tlsDetails: { tlsVersion: huge },
    };
    expectSerializableDocument(record);
  });

  test('an STS ARN of 100 KB with many slashes is parsed quickly', () => {
    const arn = `arn:aws:sts::1:assumed-role/${'x/'.repeat(50000)}session`;
    const started = Date.now();
    const document = normalizeCloudTrail({ userIdentity: { type: 'AssumedRole', arn } }, OPTIONS) as { related: { user: string[] } };
    expect(document.related.user).toEqual(['session']);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test.each([1000, 5000])('payloads nested %i levels deep', (levels) => {
    let nested: unknown = { instanceId: 'i-0123456789abcdef0' };
    for (let level = 0; level < levels; level++) nested = { level: nested, list: [nested === null ? 1 : 'x'] };
    expectSerializableDocument({ eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances', requestParameters: nested, responseElements: [nested] });
  });

  test('huge arrays and maps', () => {
    const items = Array.from({ length: 100000 }, (_, index) => ({ instanceId: `i-${String(index).padStart(17, '0')}` }));
    const wide = Object.fromEntries(Array.from({ length: 20000 }, (_, index) => [`key${index}`, index]));
    expectSerializableDocument({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      requestParameters: wide,
      responseElements: { instancesSet: { items } },
      resources: items.map((item) => ({ ARN: `arn:aws:ec2:us-east-1:1:instance/${item.instanceId}` })),
    });
  });

  test('a __proto__ member stays data', () => {
    const record = JSON.parse('{"eventName":"X","requestParameters":{"__proto__":{"polluted":true},"a":"b"}}') as Record<string, unknown>;
    const document = normalizeCloudTrail(record, OPTIONS) as { aws: { cloudtrail: { request_parameters: string } } };
    expect(document.aws.cloudtrail.request_parameters).toContain('__proto__={polluted=true}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
