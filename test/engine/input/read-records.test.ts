import { gzipSync } from 'node:zlib';
import { readRecords, type InputItem } from '../../../src/engine/input';

const record = (eventID: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: '1.09',
  eventSource: 'rds.amazonaws.com',
  eventName: 'StartExportTask',
  eventID,
  ...extra,
});

const envelope = (id: string, detail: unknown) => ({
  version: '0',
  id,
  'detail-type': 'AWS API Call via CloudTrail',
  source: 'aws.rds',
  account: '123456789012',
  time: '2026-11-20T03:12:48Z',
  region: 'us-east-1',
  resources: [],
  detail,
});

const read = (content: string | Uint8Array, name = 'input.json'): InputItem[] => [...readRecords(content, name)];
const kinds = (items: InputItem[]) => items.map((item) => item.kind);
const recordIds = (items: InputItem[]) =>
  items.flatMap((item) => (item.kind === 'record' ? [(item.record as { eventID?: string }).eventID] : []));

describe('readRecords: CloudTrail log files', () => {
  const log = { Records: [record('a'), record('b')] };

  it('reads every record of {"Records": [...]} with its position', () => {
    const items = read(JSON.stringify(log));
    expect(items).toEqual([
      expect.objectContaining({ kind: 'record', record: record('a'), position: 'Records[0]', source: 'input.json' }),
      expect.objectContaining({ kind: 'record', record: record('b'), position: 'Records[1]' }),
    ]);
  });

  it('keeps each record’s exact raw text (AWS key order and spacing) as original', () => {
    const text = '{"Records": [ {"eventID":"a",  "b": [1, "]}"]} ,\n{"eventID" : "b"}]}';
    const originals = read(text).map((item) => (item.kind === 'record' ? item.original : undefined));
    expect(originals).toEqual(['{"eventID":"a",  "b": [1, "]}"]}', '{"eventID" : "b"}']);
  });

  it('recognises gzip by its magic bytes, whatever the file is called', () => {
    const gzipped = gzipSync(JSON.stringify(log));
    expect(recordIds(read(gzipped, 'log.json'))).toEqual(['a', 'b']);
    expect(recordIds(read(gzipped, 'no-extension'))).toEqual(['a', 'b']);
    expect(recordIds(read(Buffer.from(JSON.stringify(log)), 'misnamed.json.gz'))).toEqual(['a', 'b']);
  });

  it('reports a corrupt gzip stream as one error for the file', () => {
    const items = read(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]), 'broken.json.gz');
    expect(items).toEqual([expect.objectContaining({ kind: 'error', source: 'broken.json.gz', position: '' })]);
    expect((items[0] as { message: string }).message).toMatch(/gzip/);
  });

  it('accepts a UTF-8 byte-order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(log))]);
    expect(recordIds(read(bytes))).toEqual(['a', 'b']);
    expect(recordIds(read(`\uFEFF${JSON.stringify(log)}`))).toEqual(['a', 'b']);
  });

  it('reports records that are not objects at Records[i], and still reads the others', () => {
    const items = read(JSON.stringify({ Records: [record('a'), 5, null, ['x'], record('e')] }));
    expect(kinds(items)).toEqual(['record', 'error', 'error', 'error', 'record']);
    expect(items[1]).toEqual({
      kind: 'error',
      source: 'input.json',
      position: 'Records[1]',
      message: 'a CloudTrail record must be a JSON object, found a number (5)',
    });
    expect(items[2]).toMatchObject({ position: 'Records[2]', message: expect.stringContaining('null') });
    expect(items[3]).toMatchObject({ position: 'Records[3]', message: expect.stringContaining('array') });
  });

  it('rejects a Records member that is not an array', () => {
    expect(read('{"Records": {"eventID": "a"}}')).toEqual([
      expect.objectContaining({ kind: 'error', position: '', message: expect.stringContaining('"Records" must be an array') }),
    ]);
  });

  it('reads an empty Records array and an empty file as no records, without error', () => {
    expect(read('{"Records": []}')).toEqual([]);
    expect(read('')).toEqual([]);
    expect(read(' \n\n ')).toEqual([]);
  });
});

describe('readRecords: single records, arrays and EventBridge events', () => {
  it('reads a file holding one record, with the trimmed text as original', () => {
    const text = `\n${JSON.stringify(record('solo'), null, 2)}\n`;
    expect(read(text)).toEqual([
      { kind: 'record', record: record('solo'), original: text.trim(), source: 'input.json', position: '' },
    ]);
  });

  it('unwraps an EventBridge event and keeps its envelope, without original text', () => {
    const items = read(JSON.stringify(envelope('eb-1', record('inside'))));
    expect(items).toEqual([
      {
        kind: 'record',
        record: record('inside'),
        envelope: {
          id: 'eb-1',
          account: '123456789012',
          region: 'us-east-1',
          time: '2026-11-20T03:12:48Z',
          source: 'aws.rds',
          detailType: 'AWS API Call via CloudTrail',
        },
        source: 'input.json',
        position: '',
      },
    ]);
  });

  it('reports an EventBridge event without a record in detail', () => {
    const items = read(JSON.stringify(envelope('eb-2', 'not a record')));
    expect(items).toEqual([expect.objectContaining({ kind: 'error', message: expect.stringContaining('eb-2') })]);
  });

  it('reads a JSON array mixing records and events, positions [i]', () => {
    const text = JSON.stringify([record('r1'), envelope('eb-3', record('r2')), 'junk', { Records: [record('r3')] }]);
    const items = read(text);
    expect(kinds(items)).toEqual(['record', 'record', 'error', 'record']);
    expect(items.map((item) => item.position)).toEqual(['[0]', '[1]', '[2]', '[3].Records[0]']);
    expect(recordIds(items)).toEqual(['r1', 'r2', 'r3']);
    expect(items[0]).toMatchObject({ original: JSON.stringify(record('r1')) });
    expect(items[1]).toMatchObject({ envelope: expect.objectContaining({ id: 'eb-3' }) });
    expect(items[1]).not.toHaveProperty('original');
  });

  it('reports a top-level scalar', () => {
    expect(read('42')).toEqual([expect.objectContaining({ kind: 'error', position: '', message: expect.stringContaining('a number (42)') })]);
  });
});

describe('readRecords: JSON Lines', () => {
  const lines = [
    JSON.stringify(record('l1')),
    '',
    JSON.stringify(envelope('eb-4', record('l3'))),
    JSON.stringify({ Records: [record('l4a'), record('l4b')] }),
  ];

  it('reads each line as record, event or log, with line positions and the line as original', () => {
    const items = read(`${lines.join('\n')}\n`, 'events.jsonl');
    expect(recordIds(items)).toEqual(['l1', 'l3', 'l4a', 'l4b']);
    expect(items.map((item) => item.position)).toEqual(['line 1', 'line 3', 'line 4 Records[0]', 'line 4 Records[1]']);
    expect(items[0]).toMatchObject({ original: lines[0] });
    expect(items[1]).not.toHaveProperty('original');
    expect(items[2]).toMatchObject({ original: JSON.stringify(record('l4a')) });
  });

  it('is recognised by content too, whatever the name, and tolerates CRLF', () => {
    expect(recordIds(read(lines.join('\r\n'), 'events.json'))).toEqual(['l1', 'l3', 'l4a', 'l4b']);
    expect(read(lines.join('\r\n'), 'events.json')[0]).toMatchObject({ original: lines[0] });
  });

  it('reports a malformed line once, with line and column, and keeps the other lines', () => {
    const text = [JSON.stringify(record('ok1')), '{"eventID": "broken",', JSON.stringify(record('ok3')), '  {"eventID": x}'].join('\n');
    const items = read(text, 'mixed.jsonl');
    expect(kinds(items)).toEqual(['record', 'error', 'record', 'error']);
    expect(recordIds(items)).toEqual(['ok1', 'ok3']);
    expect(items[1]).toEqual({
      kind: 'error',
      source: 'mixed.jsonl',
      position: 'line 2, column 22',
      message: 'invalid JSON: unexpected end of input, expected a double-quoted property name',
    });
    expect(items[3]).toEqual({
      kind: 'error',
      source: 'mixed.jsonl',
      position: 'line 4, column 15',
      message: "invalid JSON: expected a JSON value, found 'x'",
    });
  });

  it('still treats the file as JSON Lines when its first line is the broken one', () => {
    const text = ['{"eventID": tru}', JSON.stringify(record('b')), JSON.stringify(record('c'))].join('\n');
    const items = read(text, 'capture.json');
    expect(kinds(items)).toEqual(['error', 'record', 'record']);
    expect(items[0]).toMatchObject({ position: 'line 1, column 13' });
  });

  it('reports a non-object line at "line N"', () => {
    const items = read([JSON.stringify(record('a')), '"just a string"', '7'].join('\n'), 'x.ndjson');
    expect(items.slice(1)).toEqual([
      expect.objectContaining({ kind: 'error', position: 'line 2', message: expect.stringContaining('a string') }),
      expect.objectContaining({ kind: 'error', position: 'line 3', message: expect.stringContaining('a number (7)') }),
    ]);
  });

  it('reads a gzipped JSON Lines file', () => {
    expect(recordIds(read(gzipSync(lines.join('\n')), 'events.jsonl.gz'))).toEqual(['l1', 'l3', 'l4a', 'l4b']);
  });
});

describe('readRecords: malformed whole-file JSON', () => {
  it('reports one error at line and column, computed from the offending character', () => {
    const text = '{\n  "Records": [\n    {"eventID": "a"}\n    {"eventID": "b"}\n  ]\n}\n';
    expect(read(text, 'trail.json')).toEqual([
      {
        kind: 'error',
        source: 'trail.json',
        position: 'line 4, column 5',
        message: "invalid JSON: expected ',' or ']' after array element, found '{'",
      },
    ]);
  });

  it('locates errors V8 gives no position for', () => {
    expect(read('{\n  "Records": [\n    nope\n  ]\n}')).toEqual([
      expect.objectContaining({ position: 'line 3, column 5', message: "invalid JSON: expected a JSON value, found 'n'" }),
    ]);
  });

  it('reports truncated JSON at its end', () => {
    const text = '{"Records": [{"eventID": "a"}, {"eventID": "b"';
    expect(read(text)).toEqual([
      expect.objectContaining({ position: `line 1, column ${text.length + 1}`, message: expect.stringContaining('unexpected end of input') }),
    ]);
  });
});

describe('readRecords: CloudTrail digest files', () => {
  const digest = {
    awsAccountId: '123456789012',
    digestStartTime: '2026-11-20T02:15:00Z',
    digestEndTime: '2026-11-20T03:15:00Z',
    digestS3Bucket: 'example-bucket',
    digestS3Object: 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/x.json.gz',
    logFiles: [],
  };

  it('skips a digest recognised by its content', () => {
    expect(read(gzipSync(JSON.stringify(digest)), 'digest.json.gz')).toEqual([
      { kind: 'skipped', source: 'digest.json.gz', position: '', reason: 'cloudtrail-digest' },
    ]);
  });

  it('skips a file under CloudTrail-Digest/ without reading it', () => {
    const name = 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/123456789012_CloudTrail-Digest_us-east-1_t_us-east-1_20261120T031500Z.json.gz';
    expect(read('not even json', name)).toEqual([{ kind: 'skipped', source: name, position: '', reason: 'cloudtrail-digest' }]);
    expect(kinds(read('not even json', 'C:\\logs\\CloudTrail-Digest\\x.json.gz'))).toEqual(['skipped']);
  });

  it('does not mistake logs next to the digests for digests', () => {
    const name = 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/123456789012_CloudTrail_us-east-1_20261120T0315Z_x.json.gz';
    expect(recordIds(read(JSON.stringify({ Records: [record('a')] }), name))).toEqual(['a']);
    expect(recordIds(read(JSON.stringify(record('a')), 'my-CloudTrail-Digest-notes.json'))).toEqual(['a']);
  });

  it('skips digest lines inside JSON Lines and keeps counting the rest', () => {
    const items = read([JSON.stringify(digest), JSON.stringify(record('a'))].join('\n'), 'mixed.jsonl');
    expect(kinds(items)).toEqual(['skipped', 'record']);
    expect(items[0]).toMatchObject({ position: 'line 1' });
  });
});
