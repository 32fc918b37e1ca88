import { createHash } from 'node:crypto';
import { alertArchiveKey } from '../../lambda/delivery/archive-alert';

const hash = (id: string) => createHash('sha256').update(id, 'utf8').digest('hex').slice(0, 16);

describe('alertArchiveKey', () => {
  it('files the alert under its rule, named by the CloudTrail event id', () => {
    expect(alertArchiveKey('alerts/', '119c8877-8613-416d-a98a-96b6664ee73a', 'e4b7c2a9-51d3-4f86-9b0e-7a2c4d8f1e63')).toBe(
      'alerts/119c8877-8613-416d-a98a-96b6664ee73a/e4b7c2a9-51d3-4f86-9b0e-7a2c4d8f1e63.json',
    );
  });

  it.each([
    ['../../etc/passwd', '.._.._etc_passwd'],
    ['a/b', 'a_b'],
    ['id with spaces+plus%', 'id_with_spaces_plus_'],
    ['ünïcode', '_n_code'],
    ['..', '__'],
    ['.', '_'],
    ['', '_'],
  ])('keeps an event id %p to one safe key segment (%p + hash of the id)', (eventId, segment) => {
    expect(alertArchiveKey('alerts/', 'rule', eventId)).toBe(`alerts/rule/${segment}--${hash(eventId)}.json`);
  });

  it('never gives two different event ids the same key (the second alert would be suppressed as a duplicate)', () => {
    const ids = ['a/b', 'a_b', 'a b', 'a\u202eb', '..', '__', '', '_'];
    expect(new Set(ids.map((id) => alertArchiveKey('alerts/', 'rule', id))).size).toBe(ids.length);
  });

  it('keeps the key under S3 1,024-byte limit for a huge id', () => {
    const key = alertArchiveKey('alerts/', 'rule', 'x'.repeat(100_000));
    expect(Buffer.byteLength(key)).toBeLessThan(1024);
    expect(key).not.toBe(alertArchiveKey('alerts/', 'rule', 'x'.repeat(100_001)));
  });

  it('sanitises the rule id the same way', () => {
    expect(alertArchiveKey('', 'my rule/v2', 'e1')).toBe(`my_rule_v2--${hash('my rule/v2')}/e1.json`);
  });
});
