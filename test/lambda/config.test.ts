import { readHandlerConfig } from '../../lambda/config';

const DEFAULT_RULES = '/var/task/rules.json';
const REQUIRED = {
  ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
  ALERT_ARCHIVE_BUCKET: 'alert-archive',
};

describe('readHandlerConfig', () => {
  it('reads the required settings and applies the defaults', () => {
    expect(readHandlerConfig({ ...REQUIRED }, DEFAULT_RULES)).toEqual({
      alertTopicArn: REQUIRED.ALERT_TOPIC_ARN,
      archiveBucket: 'alert-archive',
      archivePrefix: 'alerts/',
      rulesPath: DEFAULT_RULES,
      claimLeaseSeconds: 300,
      suppressionPrefix: 'suppression/',
    });
  });

  it('reads ALERT_CLAIM_LEASE_SECONDS and refuses anything but a positive whole number', () => {
    expect(readHandlerConfig({ ...REQUIRED, ALERT_CLAIM_LEASE_SECONDS: '900' }, DEFAULT_RULES).claimLeaseSeconds).toBe(900);
    expect(readHandlerConfig({ ...REQUIRED, ALERT_CLAIM_LEASE_SECONDS: ' ' }, DEFAULT_RULES).claimLeaseSeconds).toBe(300);
    for (const bad of ['0', '-5', '1.5', 'five', '1e3']) {
      expect(() => readHandlerConfig({ ...REQUIRED, ALERT_CLAIM_LEASE_SECONDS: bad }, DEFAULT_RULES)).toThrow(/ALERT_CLAIM_LEASE_SECONDS/);
    }
  });

  it('prefers DETECTOR_RULES_PATH to the packaged rules, unless it is blank', () => {
    expect(readHandlerConfig({ ...REQUIRED, DETECTOR_RULES_PATH: '/tmp/pack.json' }, DEFAULT_RULES).rulesPath).toBe('/tmp/pack.json');
    expect(readHandlerConfig({ ...REQUIRED, DETECTOR_RULES_PATH: ' ' }, DEFAULT_RULES).rulesPath).toBe(DEFAULT_RULES);
  });

  it.each([
    ['alerts/', 'alerts/'],
    ['alerts', 'alerts/'],
    ['/security/alerts', 'security/alerts/'],
    ['', ''],
  ])('normalises ALERT_ARCHIVE_PREFIX %p to %p', (prefix, expected) => {
    expect(readHandlerConfig({ ...REQUIRED, ALERT_ARCHIVE_PREFIX: prefix }, DEFAULT_RULES).archivePrefix).toBe(expected);
  });

  it.each([
    [{ ALERT_ARCHIVE_BUCKET: 'b' }, /missing environment variable ALERT_TOPIC_ARN \(SNS topic for alerts\)$/],
    [{ ALERT_TOPIC_ARN: 'arn', ALERT_ARCHIVE_BUCKET: '  ' }, /missing environment variable ALERT_ARCHIVE_BUCKET/],
    [{}, /ALERT_TOPIC_ARN .*, ALERT_ARCHIVE_BUCKET/],
  ])('refuses a configuration without a topic or a bucket (%p)', (env, message) => {
    expect(() => readHandlerConfig(env, DEFAULT_RULES)).toThrow(message);
  });
});
