import { ARCHIVE_FORMAT, archivedIdentity, classifyArchiveObject } from '../../../src/engine/alerts/archived-alert';

const RULE = '119c8877-8613-416d-a98a-96b6664ee73a';

describe('archivedIdentity: what an archive object says it is for', () => {
  it('reads rule, event and alert key from an object of the archive format', () => {
    expect(archivedIdentity({ format: ARCHIVE_FORMAT, state: 'publish_failed', ruleId: RULE, eventId: 'e-1', alertKey: 'th-0a' })).toEqual({ ruleId: RULE, eventId: 'e-1', alertKey: 'th-0a' });
    // A query rule's alert has no alert key; an empty one is the same.
    expect(archivedIdentity({ format: ARCHIVE_FORMAT, ruleId: RULE, eventId: 'e-1', alertKey: '' })).toEqual({ ruleId: RULE, eventId: 'e-1' });
  });

  it.each([
    ['null', null],
    ['an array', [{ format: ARCHIVE_FORMAT, ruleId: RULE, eventId: 'e-1' }]],
    ['another format', { format: 'v0', ruleId: RULE, eventId: 'e-1' }],
    ['no rule id', { format: ARCHIVE_FORMAT, eventId: 'e-1' }],
    ['an event id that is not text', { format: ARCHIVE_FORMAT, ruleId: RULE, eventId: 7 }],
    ['an alert key that is not text', { format: ARCHIVE_FORMAT, ruleId: RULE, eventId: 'e-1', alertKey: { th: 1 } }],
  ])('is undefined for %s', (_what, json) => {
    expect(archivedIdentity(json)).toBeUndefined();
  });

  it('names what classifyArchiveObject then recognises as the record of that match', () => {
    const json = { format: ARCHIVE_FORMAT, state: 'publish_failed', ruleId: RULE, eventId: 'e-1', alertKey: 'th-0a', requestId: 'r', claimedAt: '2026-12-06T00:00:00Z', alert: {} };
    const identity = archivedIdentity(json);
    expect(identity).toBeDefined();
    expect(classifyArchiveObject({ etag: '"x"', json, isJson: true }, identity!).kind).toBe('publish_failed');
  });
});
