/** ECS pipeline pairs (`elastic-cloudtrail-pipeline/`): our normalization against Elastic's ingest pipeline output. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Enrichment } from '../engine/enrichment';
import { defaultEnrichmentFiles, loadEnrichment } from '../enrichment/load-enrichment';
import {
  compareDocuments,
  expectedDocuments,
  geoAgreement,
  inputOnlyProblems,
  logLines,
  normalizeLine,
  type FieldDifference,
} from './pipeline-comparison';
import { isEnrichmentField } from './pipeline-comparison';
import { describeError, type Failure, type SuiteResult, type Table } from './report';

export const PIPELINE_DIR = 'elastic-cloudtrail-pipeline';
export const INPUTS_ONLY_DIR = 'inputs-only';

/** The `test-*.log` inputs; each must have a `-expected.json` partner (a missing one is a failure). */
export function pipelinePairs(directory: string): string[] {
  return fs.readdirSync(directory).filter((name) => /^test-.*\.log$/.test(name)).sort();
}

export function inputsOnly(directory: string): string[] {
  const folder = path.join(directory, INPUTS_ONLY_DIR);
  return fs.existsSync(folder) ? fs.readdirSync(folder).filter((name) => name.endsWith('.log')).sort() : [];
}

function showDifference(difference: FieldDifference): string {
  return `${difference.field}: got ${JSON.stringify(difference.actual) ?? 'nothing'}, expected ${JSON.stringify(difference.expected) ?? 'nothing'}`;
}

export function runPipelineSuite(directory: string): SuiteResult {
  const title = `ECS pipeline pairs (${PIPELINE_DIR})`;
  const folder = path.join(directory, PIPELINE_DIR);
  if (!fs.existsSync(folder)) return { title, skipped: `${folder} is absent`, passed: 0, failed: 0, tables: [], notes: [], failures: [] };
  const failures: Failure[] = [];
  let passed = 0;
  const pairRows: (string | number)[][] = [];
  for (const logName of pipelinePairs(folder)) {
    const problems: string[] = [];
    let documents = 0;
    let compared = 0;
    let equal = 0;
    let enrichmentCompared = 0;
    let enrichmentEqual = 0;
    let excluded = 0;
    try {
      const lines = logLines(path.join(folder, logName));
      documents = lines.length;
      const expected = expectedDocuments(path.join(folder, `${logName}-expected.json`));
      if (lines.length !== expected.length) problems.push(`${lines.length} input lines but ${expected.length} expected documents`);
      lines.forEach((line, index) => {
        try {
          const comparison = compareDocuments(normalizeLine(line), expected[index]);
          compared += comparison.compared;
          excluded += comparison.excluded;
          equal += comparison.compared - comparison.differences.length;
          enrichmentCompared += comparison.enrichmentCompared;
          enrichmentEqual += comparison.enrichmentCompared - comparison.differences.filter((difference) => isEnrichmentField(difference.field)).length;
          if (comparison.compared === 0) problems.push(`line ${index + 1}: no field compared`);
          if (comparison.differences.length > 0) {
            const shown = comparison.differences.slice(0, 3).map(showDifference).join('; ');
            const more = comparison.differences.length > 3 ? ` (+${comparison.differences.length - 3} more)` : '';
            problems.push(`line ${index + 1}: ${comparison.differences.length} field(s) differ: ${shown}${more}`);
          }
        } catch (error) {
          problems.push(`line ${index + 1}: ${describeError(error)}`);
        }
      });
    } catch (error) {
      problems.push(describeError(error));
    }
    pairRows.push([logName, documents, compared, equal, `${enrichmentEqual}/${enrichmentCompared}`, excluded, problems.length === 0 ? 'pass' : 'FAIL']);
    if (problems.length === 0) passed++;
    else failures.push({ id: logName, reason: problems.join(' | ') });
  }

  const inputRows: (string | number)[][] = [];
  for (const logName of inputsOnly(folder)) {
    const problems: string[] = [];
    let documents = 0;
    try {
      const lines = logLines(path.join(folder, INPUTS_ONLY_DIR, logName));
      documents = lines.length;
      lines.forEach((line, index) => {
        try {
          for (const problem of inputOnlyProblems(normalizeLine(line))) problems.push(`line ${index + 1}: ${problem}`);
        } catch (error) {
          problems.push(`line ${index + 1}: ${describeError(error)}`);
        }
      });
    } catch (error) {
      problems.push(describeError(error));
    }
    inputRows.push([`${INPUTS_ONLY_DIR}/${logName}`, documents, problems.length === 0 ? 'pass' : 'FAIL']);
    if (problems.length === 0) passed++;
    else failures.push({ id: `${INPUTS_ONLY_DIR}/${logName}`, reason: problems.join(' | ') });
  }

  const tables: Table[] = [{ headers: ['file', 'documents', 'fields compared', 'equal', 'geo/AS/user agent equal', 'excluded', 'result'], rows: pairRows }];
  if (inputRows.length > 0) tables.push({ headers: ['input without expected output', 'documents', 'normalizes'], rows: inputRows });
  const notes = [
    'Enrichment as in Elastic\'s harness: MaxMind test-database entries (GeoLite2-City-Test, GeoLite2-ASN-Test) and uap-core regexes.',
    'Excluded fields: tags (harness input), and fields we add that the pipeline leaves to Fleet when the expected document lacks them.',
    'Ingest time: 2021-11-11T01:02:03.123Z.',
  ];
  try {
    tables.push(productionAgreementTable(folder, loadEnrichment(defaultEnrichmentFiles())));
    notes.push('Shipped databases: agreement with the test databases on the fixtures\' geo/AS fields, for information (the test entries are not real-world data).');
  } catch (error) {
    notes.push(`Shipped databases not compared: ${describeError(error)}`);
  }
  return { title, passed, failed: failures.length, tables, notes, failures };
}

/** Per geo/AS field: how many fixture documents the shipped databases give the same value as the test databases. */
function productionAgreementTable(folder: string, enrichment: Enrichment): Table {
  const pairs: { actual: unknown; expected: unknown }[] = [];
  for (const logName of pipelinePairs(folder)) {
    const expected = expectedDocuments(path.join(folder, `${logName}-expected.json`));
    logLines(path.join(folder, logName)).forEach((line, index) => pairs.push({ actual: normalizeLine(line, enrichment), expected: expected[index] }));
  }
  return {
    headers: ['field (shipped databases)', 'agree', 'documents'],
    rows: geoAgreement(pairs).map((entry) => [entry.field, entry.agree, entry.total]),
  };
}
