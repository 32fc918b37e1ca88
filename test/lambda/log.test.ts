import { createLogger } from '../../lambda/log';

function recordingLogger(base = {}) {
  const lines: string[] = [];
  const logger = createLogger(base, (line) => lines.push(line));
  return { logger, parsed: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), lines };
}

describe('createLogger', () => {
  it('writes one JSON object per line: level, message, timestamp, then fields', () => {
    const { logger, lines, parsed } = recordingLogger({ awsRequestId: 'r1' });

    logger.info('alert published', { ruleId: 'rule-1', eventId: 'e1' });

    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(lines[0].slice(0, -1)).not.toContain('\n');
    expect(Object.keys(parsed()[0])).toEqual(['level', 'message', 'timestamp', 'awsRequestId', 'ruleId', 'eventId']);
    expect(parsed()[0]).toMatchObject({ level: 'info', message: 'alert published', awsRequestId: 'r1', ruleId: 'rule-1' });
    expect(new Date(parsed()[0].timestamp as string).toISOString()).toBe(parsed()[0].timestamp);
  });

  it('adds the fields of child loggers to every line without changing the parent', () => {
    const { logger, parsed } = recordingLogger({ awsRequestId: 'r1' });

    logger.child({ eventId: 'e1' }).warn('child');
    logger.error('parent');

    expect(parsed()).toEqual([
      expect.objectContaining({ level: 'warn', message: 'child', awsRequestId: 'r1', eventId: 'e1' }),
      expect.not.objectContaining({ eventId: 'e1' }),
    ]);
  });

  it('does not let fields overwrite level or message', () => {
    const { logger, parsed } = recordingLogger();

    logger.error('real', { level: 'info', message: 'fake' });

    expect(parsed()[0]).toMatchObject({ level: 'error', message: 'real' });
  });

  it('serialises errors with name, message, stack and code', () => {
    const { logger, parsed } = recordingLogger();
    const error = Object.assign(new TypeError('boom'), { code: 'E_BOOM' });

    logger.error('failed', { error });

    expect(parsed()[0].error).toEqual({ name: 'TypeError', message: 'boom', stack: error.stack, code: 'E_BOOM' });
  });

  it('still writes a line when the fields cannot be serialised', () => {
    const { logger, parsed } = recordingLogger();
    const circular: Record<string, unknown> = {};
    circular.self = circular;

    logger.info('odd', { circular, big: 1n });

    expect(parsed()[0]).toMatchObject({ level: 'info', message: 'odd', logError: expect.stringContaining('could not serialise') });
  });
});
