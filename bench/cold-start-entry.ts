/**
 * Bundled like the Lambda handler (same esbuild options) and run in a fresh process by bench.ts: the engine, the
 * rule pack and the bundled enrichment files as the handler loads them, then the first event, which opens the
 * databases and compiles the user-agent regexes. Prints the two times; no AWS clients (the SNS-handler baseline
 * covers those).
 */
import path from 'node:path';
import { bundledEnrichmentFiles } from '../lambda/enrichment';
import { loadRulePack } from '../lambda/load-rule-pack';
import { createDetector } from '../src/engine/detector';
import { enrichmentFromFiles } from '../src/enrichment/file-enrichment';

const started = process.hrtime.bigint();
const directory = process.env.DETECTOR_ENRICHMENT_DIR ?? __dirname;
const detector = createDetector(loadRulePack(path.join(__dirname, 'rules.json')), { enrichment: enrichmentFromFiles(bundledEnrichmentFiles(directory)) });
const loaded = process.hrtime.bigint();
const record = JSON.parse(process.env.BENCH_RECORD ?? '{}') as Record<string, unknown>;
void detector.detect(record, { receivedAt: new Date() }).then((detections) => {
  const firstEvent = process.hrtime.bigint();
  process.stdout.write(`\nCOLD=${JSON.stringify({ loadMs: Number(loaded - started) / 1e6, firstEventMs: Number(firstEvent - loaded) / 1e6, detections: detections.length, enriched: (detections[0]?.document as { source?: { as?: unknown } } | undefined)?.source?.as !== undefined })}\n`);
});
