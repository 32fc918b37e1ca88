import { code, table } from '../markdown';
import type { ReportInput } from '../report-input';

/** Tool versions, the synth time and the context the template was synthesized with. */
export function versionsSection(input: ReportInput): string[] {
  const context = Object.entries(input.synth.context);
  return [
    '## 6. Provenance',
    '',
    ...table(['Item', 'Value'], [
      ['Synthesized at', `${input.synth.startedAt.toISOString()} (took ${(input.synth.durationMs / 1000).toFixed(1)} s)`],
      ['Stack', code(input.stackName)],
      ['Command-line context', context.length > 0 ? context.map(([key, value]) => code(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)).join('<br>') : 'none'],
      ...Object.entries(input.versions).map(([name, version]) => [name, code(version)]),
    ]),
    '',
  ];
}
