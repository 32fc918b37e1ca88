import { createDetector } from '../../src/engine/detector';
import { compileRules, loadRulePack, type CompiledRule } from '../../src/engine/rules';
import { loadDefaultEnrichment } from '../../src/enrichment/load-enrichment';
import { ACCOUNT, REGION } from '../support/cloudtrail-records';
import { conformancePath, describeWithConformance } from '../support/conformance-data';

/**
 * Elastic's five AWS query rules that read `source.as.organization.name` behave as in Elastic once the shipped ASN
 * database enriches the events: records from addresses of known autonomous systems in that database.
 */
const RESIDENTIAL = '89.160.20.156'; // AS29518 Bredband2 AB, a Swedish ISP
const AMAZON = '52.94.76.1'; // AS16509 Amazon.com, Inc.
const GOOGLE = '8.8.8.8'; // AS15169 Google LLC
const UNROUTED = '198.51.100.201'; // TEST-NET-2: in no database, so no source.as at all

function iamUserRecord(eventSource: string, eventName: string, sourceIPAddress: string): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEUSERID123',
      arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      accountId: ACCOUNT,
      accessKeyId: 'AKIAEXAMPLEKEY123456',
      userName: 'alice',
    },
    eventTime: '2026-11-20T03:15:42Z',
    eventSource,
    eventName,
    awsRegion: REGION,
    sourceIPAddress,
    userAgent: 'aws-cli/2.17.60 md/awscrt#0.21.2 ua/2.0 os/macos#23.6.0 md/arch#x86_64 lang/python#3.12.6',
    requestParameters: { groupName: 'admins', userName: 'bob', policyArn: `arn:aws:iam::${ACCOUNT}:policy/p` },
    responseElements: null,
    requestID: '6c1f3a2e-93b4-4d6e-9a51-0f2b7c8d9e10',
    eventID: `evt-${eventName}-${sourceIPAddress}`,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

function webIdentityRecord(sourceIPAddress: string): Record<string, unknown> {
  return {
    ...iamUserRecord('sts.amazonaws.com', 'AssumeRoleWithWebIdentity', sourceIPAddress),
    userIdentity: {
      type: 'WebIdentityUser',
      principalId: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE:sts.amazonaws.com:system:serviceaccount:payments:api`,
      userName: 'system:serviceaccount:payments:api',
      identityProvider: `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/EXAMPLE`,
    },
    userAgent: 'aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.30.3',
    requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/payments-api`, roleSessionName: 'payments-api' },
  };
}

/** Each rule with the record that should trip it, and the expected verdict per source address. */
const CASES: { rule: string; record: (ip: string) => Record<string, unknown>; fires: Record<string, boolean> }[] = [
  {
    rule: 'AWS AssumeRoleWithWebIdentity from Kubernetes SA and External ASN',
    record: webIdentityRecord,
    // `source.as.organization.name:(* and not (Amazon* or AMAZON*))`: needs an organization, and not Amazon's.
    fires: { [RESIDENTIAL]: true, [AMAZON]: false, [GOOGLE]: true, [UNROUTED]: false },
  },
  ...[
    ['AWS IAM Customer Managed Policy Version Created or Default Version Set', 'CreatePolicyVersion'],
    ['AWS IAM Inline Policy Added to a Group', 'PutGroupPolicy'],
    ['AWS IAM Login Profile Created or Modified for an IAM User', 'CreateLoginProfile'],
    ['AWS IAM Permissions Boundary Modified or Removed', 'PutUserPermissionsBoundary'],
  ].map(([rule, action]) => ({
    rule,
    record: (ip: string) => iamUserRecord('iam.amazonaws.com', action, ip),
    // `not source.as.organization.name: (Amazon* or AMAZON* or Google*...)`: cloud providers are excluded; an
    // address without AS data is not, as in Elastic (the field is missing, so the negation holds).
    fires: { [RESIDENTIAL]: true, [AMAZON]: false, [GOOGLE]: false, [UNROUTED]: true },
  })),
];

describeWithConformance("Elastic's source.as rules with the shipped ASN database", ['elastic-aws-kuery-rules'], () => {
  const enrichment = loadDefaultEnrichment();
  const rules = new Map<string, CompiledRule>(
    compileRules(loadRulePack(conformancePath('elastic-aws-kuery-rules')).rules).map((rule) => [rule.rule.name, rule]),
  );

  it('the shipped database knows the addresses used below', () => {
    expect(enrichment.ip?.as(RESIDENTIAL)).toEqual({ number: 29518, organizationName: 'Bredband2 AB' });
    expect(enrichment.ip?.as(AMAZON)).toEqual({ number: 16509, organizationName: 'Amazon.com, Inc.' });
    expect(enrichment.ip?.as(GOOGLE)).toEqual({ number: 15169, organizationName: 'Google LLC' });
    expect(enrichment.ip?.as(UNROUTED)).toBeUndefined();
  });

  describe.each(CASES)('$rule', ({ rule: name, record, fires }) => {
    it.each(Object.entries(fires))('from %s: fires %s', async (ip, expected) => {
      const rule = rules.get(name);
      expect(rule).toBeDefined();
      const detector = createDetector([rule!], { enrichment });
      const detections = await detector.detect(record(ip), { receivedAt: new Date('2026-11-20T03:16:00Z') });
      expect(detections.length > 0).toBe(expected);
      // Without enrichment the organization is never known: the first rule never fires, the others always do.
      const bare = await createDetector([rule!]).detect(record(ip), { receivedAt: new Date('2026-11-20T03:16:00Z') });
      expect(bare.length > 0).toBe(name !== CASES[0].rule);
    });
  });
});
