import { parseKql } from '../../../src/engine/kql';
import { requiredValues } from '../../../src/engine/rule-index';

const actionsOf = (query: string) => requiredValues(parseKql(query), 'event.action');

describe('requiredValues', () => {
  it('takes the value of a plain comparison and of a value list', () => {
    expect(actionsOf('event.action: StartExportTask')).toEqual({ exact: ['StartExportTask'], prefixes: [] });
    expect(actionsOf('event.action: ("A" or B)')).toEqual({ exact: ['A', 'B'], prefixes: [] });
  });

  it('keeps the narrowest demand of an and, the union of an or', () => {
    expect(actionsOf('event.action: (A or B) and event.action: A')).toEqual({ exact: ['A'], prefixes: [] });
    expect(actionsOf('event.provider: x and event.action: A')).toEqual({ exact: ['A'], prefixes: [] });
    expect(actionsOf('event.action: A or event.action: Delete*')).toEqual({ exact: ['A'], prefixes: ['Delete'] });
  });

  it('demands the longest literal part of a wildcard without a prefix', () => {
    expect(actionsOf('event.action: *Policy')).toEqual({ exact: [], prefixes: [], contains: ['Policy'] });
    expect(actionsOf('event.action: (*Put*Policy* or A)')).toEqual({ exact: ['A'], prefixes: [], contains: ['Policy'] });
    expect(actionsOf('event.action: *Policy and event.action: Put*')).toEqual({ exact: [], prefixes: ['Put'] });
  });

  it('gives up (any) wherever a match could carry some other value', () => {
    for (const query of [
      'event.provider: x',
      'event.action: A or user.name: bob',
      'not event.action: A',
      'event.action: *',
      'event.action > A',
      'event: { action: A }',
      'event.act*: A',
      'A',
      'event.action: 10.0.0.0/8',
      '',
    ]) {
      expect([query, actionsOf(query)]).toEqual([query, 'any']);
    }
  });
});
