import { DetectorConfigError } from './detector-config-error';

/**
 * A context value that holds a JSON object: its text from `-c key='{...}'`, or the object itself from cdk.json.
 * Undefined when empty; anything but an object fails the synth, naming the setting and showing `example`.
 */
export function contextJsonObject(setting: string, value: unknown, example: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new DetectorConfigError(setting, `must be a JSON object such as ${example}, got ${JSON.stringify(value)} (${(error as Error).message})`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new DetectorConfigError(setting, `must be a JSON object such as ${example}, got ${JSON.stringify(value)}`);
  }
  return parsed as Record<string, unknown>;
}
