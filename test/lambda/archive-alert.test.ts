import { alertArchiveKey } from '../../lambda/delivery/archive-alert';

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
  ])('keeps an event id %p to one safe key segment (%p)', (eventId, segment) => {
    expect(alertArchiveKey('alerts/', 'rule', eventId)).toBe(`alerts/rule/${segment}.json`);
  });

  it('sanitises the rule id the same way', () => {
    expect(alertArchiveKey('', 'my rule/v2', 'e1')).toBe('my_rule_v2/e1.json');
  });
});
