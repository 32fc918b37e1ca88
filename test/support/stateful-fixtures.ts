import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRuleToml, type DetectionRule } from '../../src/engine/rules';
import { ACCOUNT, REGION } from './cloudtrail-records';

/**
 * Stateful rules and records for the tests of the doors: a new_terms rule in Elastic's shape ("first time this user
 * called ec2:CreateKeyPair in this account in 7 days") and a threshold rule ("10 failed root console logins in 6
 * minutes"), written from the packaged rule's TOML, and CloudTrail records they match.
 */

const seedText = readFileSync(join(__dirname, '../../rules/exfiltration_rds_snapshot_export.toml'), 'utf8');

function ruleText(ruleId: string, name: string, type: string, query: string, settings: string, from = 'now-60m'): string {
  return `${seedText
    .replace(/rule_id = "[^"]+"/, `rule_id = "${ruleId}"`)
    .replace(/^name = "[^"]+"/m, `name = "${name}"`)
    .replace('type = "query"', `type = "${type}"`)
    .replace('from = "now-60m"', `from = "${from}"`)
    .replace(/query = '''[\s\S]*?'''/, `query = '''\n${query}\n'''`)}\n${settings}`;
}

export const NEW_KEY_PAIR_RULE_ID = '00000000-0000-4000-8000-00000000c001';
export const ROOT_BRUTE_FORCE_RULE_ID = '00000000-0000-4000-8000-00000000c002';

export const NEW_KEY_PAIR_TOML = ruleText(
  NEW_KEY_PAIR_RULE_ID,
  'First EC2 Key Pair Created by a User',
  'new_terms',
  'event.dataset: "aws.cloudtrail" and event.provider: "ec2.amazonaws.com" and event.action: "CreateKeyPair" and event.outcome: "success"',
  `[rule.new_terms]
field = "new_terms_fields"
value = ["cloud.account.id", "user.name"]
[[rule.new_terms.history_window_start]]
field = "history_window_start"
value = "now-7d"
`,
);

export const ROOT_BRUTE_FORCE_TOML = ruleText(
  ROOT_BRUTE_FORCE_RULE_ID,
  'Root Console Login Failures',
  'threshold',
  'event.dataset: aws.cloudtrail and event.provider: signin.amazonaws.com and event.action: ConsoleLogin and aws.cloudtrail.user_identity.type: Root and event.outcome: failure',
  `[rule.threshold]
field = ["cloud.account.id"]
value = 10
`,
  'now-6m',
);

export function newKeyPairRule(): DetectionRule {
  return parseRuleToml(NEW_KEY_PAIR_TOML, 'rules/new_key_pair.toml');
}

export function rootBruteForceRule(): DetectionRule {
  return parseRuleToml(ROOT_BRUTE_FORCE_TOML, 'rules/root_brute_force.toml');
}

export function iamUser(userName: string): Record<string, unknown> {
  return {
    type: 'IAMUser',
    principalId: `AIDAEXAMPLE${userName.toUpperCase()}`,
    arn: `arn:aws:iam::${ACCOUNT}:user/${userName}`,
    accountId: ACCOUNT,
    accessKeyId: 'AKIAEXAMPLEKEY123456',
    userName,
  };
}

/** `ec2:CreateKeyPair` by an IAM user at `eventTime`. */
export function createKeyPairRecord(eventID: string, eventTime: string, userName = 'alice'): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    userIdentity: iamUser(userName),
    eventTime,
    eventSource: 'ec2.amazonaws.com',
    eventName: 'CreateKeyPair',
    awsRegion: REGION,
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1',
    requestParameters: { keyName: `key-${eventID}`, keyType: 'rsa', keyFormat: 'pem' },
    responseElements: { requestId: `req-${eventID}`, keyName: `key-${eventID}`, keyFingerprint: 'ab:cd', keyPairId: `key-0${eventID}` },
    requestID: `req-${eventID}`,
    eventID,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

/** A failed root console sign-in at `eventTime` from `sourceIPAddress`. */
export function rootLoginFailureRecord(eventID: string, eventTime: string, sourceIPAddress = '203.0.113.50'): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    userIdentity: { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: '' },
    eventTime,
    eventSource: 'signin.amazonaws.com',
    eventName: 'ConsoleLogin',
    awsRegion: REGION,
    sourceIPAddress,
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
    errorMessage: 'Failed authentication',
    requestParameters: null,
    responseElements: { ConsoleLogin: 'Failure' },
    additionalEventData: { LoginTo: 'https://console.aws.amazon.com/console/home', MobileVersion: 'No', MFAUsed: 'No' },
    eventID,
    readOnly: false,
    eventType: 'AwsConsoleSignIn',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    eventCategory: 'Management',
  };
}

/** `2026-11-20T10:00:00Z` plus `seconds`. */
export function isoAt(seconds: number): string {
  return new Date(Date.parse('2026-11-20T10:00:00Z') + seconds * 1000).toISOString().replace('.000Z', 'Z');
}
