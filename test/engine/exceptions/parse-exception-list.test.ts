import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExceptionFileError, parseExceptionListExport } from '../../../src/engine/exceptions';
import { itemLine, LIST_LINE } from './helpers';

const FIXTURE = join(__dirname, '../../fixtures/exceptions/nightly-backup.ndjson');

function parseError(text: string, file = 'exceptions/nightly.ndjson', allowNoExpiry = false): ExceptionFileError {
  try {
    parseExceptionListExport(text, file, { allowNoExpiry });
  } catch (error) {
    expect(error).toBeInstanceOf(ExceptionFileError);
    return error as ExceptionFileError;
  }
  throw new Error('expected the export to be rejected');
}

function withItem(overrides: Record<string, unknown>): string {
  return `${LIST_LINE}\n${itemLine(overrides)}\n`;
}

describe('the Kibana export fixture', () => {
  const lists = parseExceptionListExport(readFileSync(FIXTURE, 'utf8'), 'test/fixtures/exceptions/nightly-backup.ndjson');

  it('reads the list object, its items and accepts the summary line', () => {
    expect(lists).toHaveLength(1);
    const [list] = lists;
    expect(list).toMatchObject({
      listId: 'nightly-backup-exceptions',
      id: '6f1b2c30-9a4e-11f1-8c2d-3b5e7a9c1d02',
      name: 'Nightly backup automation',
      type: 'detection',
      namespaceType: 'single',
      source: { line: 1 },
    });
    expect(list.items.map((i) => i.itemId)).toEqual(['nightly-backup-rds-export', 'staging-refresh']);
  });

  it('converts entries, owner, reason and expiry', () => {
    const [backup, staging] = lists[0].items;
    expect(backup.entries).toEqual([
      { type: 'match', field: 'user.name', operator: 'included', value: 'nightly-backup' },
      { type: 'match', field: 'aws.cloudtrail.user_identity.session_context.session_issuer.arn', operator: 'included', value: 'arn:aws:iam::123456789012:role/nightly-backup' },
      { type: 'wildcard', field: 'aws.cloudtrail.flattened.request_parameters.s3BucketName', operator: 'included', value: 'corp-export*' },
    ]);
    expect(backup.owner).toBe('data-platform'); // owner: tag wins over created_by "elastic"
    expect(staging.owner).toBe('sam.okafor'); // no tag: created_by
    expect(backup.reason).toMatch(/CHG-4711/);
    expect(backup.expireTime).toBe('2027-01-31T00:00:00.000Z');
    expect(backup.expireAt).toBe(Date.parse('2027-01-31T00:00:00.000Z'));
    expect(backup.neverExpires).toBe(false);
    expect(backup.source).toEqual({ file: 'test/fixtures/exceptions/nightly-backup.ndjson', line: 2 });
    expect(staging.entries[0]).toEqual({
      type: 'match_any',
      field: 'aws.cloudtrail.flattened.request_parameters.s3Prefix',
      operator: 'included',
      value: ['staging/refresh', 'staging/nightly'],
    });
  });

  it('produces plain JSON data', () => {
    expect(JSON.parse(JSON.stringify(lists))).toEqual(lists);
  });
});

describe('malformed exports name file, line and field', () => {
  it('reports a bad operator with the exact message', () => {
    const text = `${LIST_LINE}\n${itemLine({ item_id: 'other' })}\n${itemLine({ entries: [{ field: 'user.name', operator: 'include', type: 'match', value: 'x' }] })}\n`;
    const error = parseError(text);
    expect(error.message).toBe('exceptions/nightly.ndjson:3: entries[0].operator: "include" is not one of included, excluded');
    expect(error.problems).toEqual([{ line: 3, field: 'entries[0].operator', problem: '"include" is not one of included, excluded' }]);
  });

  it('rejects invalid JSON', () => {
    expect(parseError(`${LIST_LINE}\n{"item_id": \n`).message).toMatch(/^exceptions\/nightly\.ndjson:2: not valid JSON/);
  });

  it('rejects value list entries as unsupported', () => {
    const error = parseError(withItem({ entries: [{ field: 'source.ip', operator: 'included', type: 'list', list: { id: 'ips', type: 'ip' } }] }));
    expect(error.message).toMatch(/:2: entries\[0\]\.type: "list" entries \(value lists\) are not supported/);
  });

  it.each([
    [{ entries: [] }, 'entries', /non-empty list of entries/],
    [{ entries: [{ field: 'a', operator: 'included', type: 'regex', value: 'x' }] }, 'entries[0].type', /"regex" is not one of match, match_any, exists, wildcard, nested, list/],
    [{ entries: [{ operator: 'included', type: 'match', value: 'x' }] }, 'entries[0].field', /expected a field name/],
    [{ entries: [{ field: 'a', operator: 'included', type: 'match', value: ['x'] }] }, 'entries[0].value', /non-empty string, found a list/],
    [{ entries: [{ field: 'a', operator: 'included', type: 'match_any', value: 'x' }] }, 'entries[0].value', /non-empty list of strings/],
    [{ entries: [{ field: 'a', operator: 'included', type: 'match_any', value: ['x', 3] }] }, 'entries[0].value[1]', /non-empty string, found the number 3/],
    [{ entries: [{ field: 'a', operator: 'included', type: 'exists', value: 'x' }] }, 'entries[0].value', /take no value/],
    [{ entries: [{ field: 'a', type: 'match', value: 'x' }] }, 'entries[0].operator', /missing; expected one of included, excluded/],
    [{ entries: [{ field: 'a', type: 'nested', entries: [{ field: 'b', operator: 'included', type: 'wildcard', value: 'x*' }] }] }, 'entries[0].entries[0].type', /inside a nested entry/],
    [{ entries: [{ field: 'a', type: 'nested', entries: [{ field: 'b', operator: 'inc', type: 'match', value: 'x' }] }] }, 'entries[0].entries[0].operator', /"inc" is not one of/],
    [{ type: 'complex' }, 'type', /not "simple"/],
    [{ namespace_type: 'global' }, 'namespace_type', /"global" is not one of single, agnostic/],
    [{ expire_time: '2027-01-31' }, 'expire_time', /not an ISO 8601 date-time/],
    [{ expire_time: 'tomorrow' }, 'expire_time', /not an ISO 8601 date-time/],
    [{ item_id: '' }, 'item_id', /non-empty string/],
    [{ list_id: 'elsewhere' }, 'list_id', /no exception list "elsewhere" in this file/],
    [{ tags: [1] }, 'tags[0]', /expected a string/],
  ])('rejects %j at %s', (overrides, field, problem) => {
    const error = parseError(withItem(overrides));
    const found = error.problems.find((p) => p.field === field);
    expect(found).toBeDefined();
    expect(found!.line).toBe(2);
    expect(found!.problem).toMatch(problem);
    expect(error.message).toContain(`exceptions/nightly.ndjson:2: ${field}: `);
  });

  it('reports every problem of the file at once, in line order', () => {
    const text = `${LIST_LINE}\n${itemLine({ item_id: 'a', type: 'x' })}\n${itemLine({ item_id: 'b', entries: 'no' })}\n`;
    const error = parseError(text);
    expect(error.problems.map((p) => `${p.line}:${p.field}`)).toEqual(['2:type', '3:entries']);
    expect(error.message).toMatch(/2 problems/);
  });

  it('rejects list objects with a bad type and duplicate ids', () => {
    const badList = JSON.stringify({ ...JSON.parse(LIST_LINE), type: 'detections' });
    expect(parseError(`${badList}\n`).message).toMatch(/:1: type: "detections" is not one of detection, rule_default, endpoint/);
    const text = `${LIST_LINE}\n${LIST_LINE}\n${itemLine()}\n${itemLine()}\n`;
    const messages = parseError(text).problems.map((p) => `${p.line} ${p.field}: ${p.problem}`);
    expect(messages).toEqual(['2 list_id: "list-1" is already defined on line 1', '4 item_id: "item-1" is already defined on line 3']);
  });

  it('checks the summary counts and that nothing follows the summary', () => {
    const summary = JSON.stringify({ exported_exception_list_count: 1, exported_exception_list_item_count: 2, missing_exception_list_item_count: 0 });
    expect(parseError(`${LIST_LINE}\n${itemLine()}\n${summary}\n`).message).toBe(
      'exceptions/nightly.ndjson:3: exported_exception_list_item_count: the summary counts 2 but the file holds 1; is the export truncated?',
    );
    const ok = JSON.stringify({ exported_exception_list_count: 1, exported_exception_list_item_count: 1 });
    expect(parseError(`${LIST_LINE}\n${ok}\n${itemLine()}\n`).message).toMatch(/:3: nothing may follow the export summary on line 2/);
    expect(parseExceptionListExport(`${LIST_LINE}\n${itemLine()}\n${ok}\n`, 'f')[0].items).toHaveLength(1);
  });

  it('rejects lines that are neither a list, an item nor a summary, and empty files', () => {
    expect(parseError(`${LIST_LINE}\n{"rule_id":"x"}\n`).message).toMatch(/:2: neither an exception list/);
    expect(parseError(`${LIST_LINE}\n[1]\n`).message).toMatch(/:2: expected a JSON object, found a list/);
    expect(parseError('\n\n').message).toMatch(/holds no exception list/);
  });

  it('accepts CRLF line endings and blank lines', () => {
    expect(parseExceptionListExport(`${LIST_LINE}\r\n\r\n${itemLine()}\r\n`, 'f')[0].items[0].itemId).toBe('item-1');
  });
});

describe('accountability: owner, reason, expiry', () => {
  it('requires an owner: created_by or an owner: tag', () => {
    const error = parseError(withItem({ created_by: undefined }));
    expect(error.message).toBe('exceptions/nightly.ndjson:2: created_by: item "item-1" has no owner: set created_by or add a tag "owner:<name>"');
    expect(error.problems[0].itemId).toBe('item-1');
    const [list] = parseExceptionListExport(withItem({ created_by: undefined, tags: ['owner:platform-team'] }), 'f');
    expect(list.items[0].owner).toBe('platform-team');
    expect(parseError(withItem({ tags: ['owner:'] })).message).toMatch(/tags: item "item-1" has an empty "owner:" tag/);
    expect(parseError(withItem({ created_by: '  ' })).message).toMatch(/has no owner/);
  });

  it('requires a reason: at least one non-empty comment', () => {
    for (const comments of [undefined, [], [{ comment: '   ' }]]) {
      const error = parseError(withItem({ comments }));
      expect(error.message).toBe('exceptions/nightly.ndjson:2: comments: item "item-1" has no reason: add a comment saying why the exception exists');
    }
    const [list] = parseExceptionListExport(withItem({ comments: [{ comment: '' }, { comment: 'first' }, { comment: 'second' }] }), 'f');
    expect(list.items[0].reason).toBe('first\n\nsecond');
  });

  it('requires an expiry unless allowNoExpiry, and then flags the item', () => {
    expect(parseError(withItem({ expire_time: undefined })).message).toMatch(/:2: expire_time: item "item-1" never expires/);
    const [list] = parseExceptionListExport(withItem({ expire_time: undefined }), 'f', { allowNoExpiry: true });
    expect(list.items[0].neverExpires).toBe(true);
    expect(list.items[0].expireTime).toBeUndefined();
  });
});
