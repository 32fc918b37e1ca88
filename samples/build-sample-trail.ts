/**
 * Regenerates samples/trail/ from the readable JSON in samples/source/.
 *
 *   node bin/run-ts.js samples/build-sample-trail.ts [--out DIR]
 *
 * The outputs are laid out like a downloaded CloudTrail bucket (plus an EventBridge capture) and written the way AWS
 * writes them: minified JSON, CloudTrail logs and digests gzipped. Both the sources and the outputs are committed, so a
 * reviewer reads the former and `npm start` scans the latter; re-run this after editing a source.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

type OutputFormat = 'gzipped-json' | 'json' | 'json-lines';

interface SampleFile {
  readonly source: string;
  readonly target: string;
  readonly format: OutputFormat;
}

export const SAMPLE_FILES: readonly SampleFile[] = [
  {
    source: 'us-east-1-trail-log.json',
    target: 'AWSLogs/123456789012/CloudTrail/us-east-1/2026/11/20/123456789012_CloudTrail_us-east-1_20261120T0315Z_a1B2c3D4e5F6g7H8.json.gz',
    format: 'gzipped-json',
  },
  {
    source: 'us-east-1-digest.json',
    target:
      'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2026/11/20/123456789012_CloudTrail-Digest_us-east-1_example-org-trail_us-east-1_20261120T031500Z.json.gz',
    format: 'gzipped-json',
  },
  {
    // Left uncompressed, as after `gunzip`: the scanner must not rely on the .gz name or on compression.
    source: 'eu-west-1-trail-log.json',
    target: 'AWSLogs/210987654321/CloudTrail/eu-west-1/2026/11/20/210987654321_CloudTrail_eu-west-1_20261120T0320Z_Q9r8S7t6U5v4W3x2.json',
    format: 'json',
  },
  {
    // A JSON array of EventBridge events in the source; one event per line in the output, as an archive would hold them.
    source: 'eventbridge-events.json',
    target: 'eventbridge/rds-api-calls-20261120.jsonl',
    format: 'json-lines',
  },
];

export function renderSampleFile(value: unknown, format: OutputFormat): Buffer {
  switch (format) {
    case 'gzipped-json':
      return gzipSync(JSON.stringify(value), { level: 9 });
    case 'json':
      return Buffer.from(JSON.stringify(value));
    case 'json-lines':
      if (!Array.isArray(value)) throw new Error('a json-lines source must be a JSON array');
      return Buffer.from(value.map((element) => `${JSON.stringify(element)}\n`).join(''));
  }
}

function main(argv: readonly string[]): void {
  const outIndex = argv.indexOf('--out');
  const outDirectory = outIndex === -1 ? join(__dirname, 'trail') : resolve(argv[outIndex + 1] ?? '.');
  const sourceDirectory = join(__dirname, 'source');
  for (const file of SAMPLE_FILES) {
    const value: unknown = JSON.parse(readFileSync(join(sourceDirectory, file.source), 'utf8'));
    const target = join(outDirectory, file.target);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, renderSampleFile(value, file.format));
    process.stdout.write(`wrote ${target}\n`);
  }
}

if (require.main === module || process.argv[1] === __filename) main(process.argv.slice(2));
