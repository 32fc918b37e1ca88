import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildAlertNotification } from '../../../src/engine/alerts';
import { createDetector, type Detection } from '../../../src/engine/detector';
import { compileRules, parseRuleToml } from '../../../src/engine/rules';
import { MemoryStateStore } from '../../../src/engine/state';
import { conformancePath, describeWithConformance } from '../../support/conformance-data';
import { BEDROCK_SEQUENCE_RULE, bedrockCall } from '../eql/support/aws-rule-records';

/**
 * Elastic's Bedrock sequence rule (ListFoundationModels, then a model invocation, by one long-term access key within
 * 15 minutes) in the detector, on its state: it alerts on the two steps within 15 minutes and not 1 ms beyond, in
 * Elastic's building-block shape, and its e-mail lists the steps with their times and the shared key.
 */

const receivedAt = new Date('2026-11-20T03:40:00Z');
const T0 = Date.parse('2026-11-20T03:00:00Z');
const MAXSPAN = 15 * 60_000;
const iso = (offsetMs: number): string => new Date(T0 + offsetMs).toISOString();

describeWithConformance('the Bedrock sequence rule in the detector', ['elastic-aws-eql-rules'], () => {
  const rule = parseRuleToml(readFileSync(join(conformancePath('elastic-aws-eql-rules'), BEDROCK_SEQUENCE_RULE), 'utf8'), BEDROCK_SEQUENCE_RULE);

  async function detect(records: Record<string, unknown>[]): Promise<Detection[]> {
    const store = new MemoryStateStore();
    const detector = createDetector(compileRules([rule]), { state: store, observeEventTime: (time) => store.observe(time) });
    const detections: Detection[] = [];
    for (const record of records) detections.push(...(await detector.detect(record, { receivedAt })));
    return detections;
  }

  it('alerts on its two steps within 15 minutes, to the millisecond, and not 1 ms later', async () => {
    expect(await detect([bedrockCall('ListFoundationModels', iso(0)), bedrockCall('InvokeModel', iso(MAXSPAN))])).toHaveLength(1);
    expect(await detect([bedrockCall('ListFoundationModels', iso(0)), bedrockCall('InvokeModel', iso(MAXSPAN + 1))])).toEqual([]);
    // The other invocation calls are second steps too; a role's temporary key is not a long-term key.
    expect(await detect([bedrockCall('ListFoundationModels', iso(0)), bedrockCall('Converse', iso(60_000))])).toHaveLength(1);
    expect(await detect([bedrockCall('ListFoundationModels', iso(0), 'ASIAEXAMPLETEMPORARY'), bedrockCall('InvokeModel', iso(60_000), 'ASIAEXAMPLETEMPORARY')])).toEqual([]);
    // Two keys do not make one sequence; the steps in the wrong order make none.
    expect(await detect([bedrockCall('ListFoundationModels', iso(0)), bedrockCall('InvokeModel', iso(60_000), 'AKIAEXAMPLELONGTERM2')])).toEqual([]);
    expect(await detect([bedrockCall('InvokeModel', iso(0)), bedrockCall('ListFoundationModels', iso(60_000))])).toEqual([]);
  });

  it('alerts in Elastic\'s building-block shape: a shell with the group id and ancestors, one building block per step', async () => {
    const [detection] = await detect([bedrockCall('ListFoundationModels', iso(0)), bedrockCall('InvokeModel', iso(192_000))]);
    const alert = detection?.alert as any;
    const groupId = alert.kibana.alert.group.id;
    expect(alert.kibana.alert.uuid).toBe(groupId);
    expect(alert.kibana.alert.building_block_type).toBeUndefined();
    expect(alert.kibana.alert.ancestors).toEqual([
      { id: `ListFoundationModels-${iso(0)}`, type: 'event', depth: 0 },
      { id: `InvokeModel-${iso(192_000)}`, type: 'event', depth: 0 },
    ]);
    expect(alert.kibana.alert.original_time).toBe(iso(0));
    expect(alert.kibana.alert.rule).toMatchObject({ type: 'eql', language: 'eql', rule_id: rule.ruleId });
    // The shell holds what the steps share (the caller), not what differs (the action, the event id).
    expect(alert.aws.cloudtrail.user_identity).toMatchObject({ type: 'IAMUser', access_key_id: 'AKIAEXAMPLELONGTERM1' });
    expect(alert.event.action).toBeUndefined();
    expect(alert.event.id).toBeUndefined();
    const blocks = alert.kibana.alert.building_blocks;
    expect(blocks.map((block: any) => [block.event.action, block.event.id, block.kibana.alert.building_block_type, block.kibana.alert.group])).toEqual([
      ['ListFoundationModels', `ListFoundationModels-${iso(0)}`, 'default', { id: groupId, index: 0 }],
      ['InvokeModel', `InvokeModel-${iso(192_000)}`, 'default', { id: groupId, index: 1 }],
    ]);
    expect(new Set(blocks.map((block: any) => block.kibana.alert.uuid)).size).toBe(2);
    expect(alert.kibana.alert.sequence).toEqual({
      key: [{ field: 'aws.cloudtrail.user_identity.access_key_id', value: 'AKIAEXAMPLELONGTERM1' }],
      maxspan: '15m',
      steps: [
        { stage: 1, event_id: `ListFoundationModels-${iso(0)}`, time: iso(0), action: 'bedrock:ListFoundationModels' },
        { stage: 2, event_id: `InvokeModel-${iso(192_000)}`, time: iso(192_000), action: 'bedrock:InvokeModel' },
      ],
    });
    expect(alert.kibana.alert.reason).toBe(
      'Access key AKIAEXAMPLELONGTERM1 called bedrock:ListFoundationModels, then bedrock:InvokeModel 3 minutes 12 seconds later (the rule allows 15 minutes).',
    );
    expect(detection?.alertKey).toMatch(/^sq-[A-Za-z0-9_-]{16}$/);
  });

  it('a first step processed after its second: the alert has the whole first step, the second by its action', async () => {
    const [detection] = await detect([bedrockCall('InvokeModel', iso(60_000)), bedrockCall('ListFoundationModels', iso(0))]);
    const alert = detection?.alert as any;
    expect(alert.kibana.alert.sequence.steps.map((step: { action: string }) => step.action)).toEqual(['bedrock:ListFoundationModels', 'bedrock:InvokeModel']);
    const [first, second] = alert.kibana.alert.building_blocks;
    expect(first.aws.cloudtrail.user_identity.access_key_id).toBe('AKIAEXAMPLELONGTERM1');
    expect(second.event).toMatchObject({ action: 'InvokeModel', provider: 'bedrock.amazonaws.com' });
    expect(second.aws).toBeUndefined();
    // The shell still names the caller: the step known by its action alone constrains only what it holds.
    expect(alert.aws.cloudtrail.user_identity.access_key_id).toBe('AKIAEXAMPLELONGTERM1');
    // What differs between the steps is not the shell's: not the first step's action, id or ingest time.
    expect(alert.event?.action).toBeUndefined();
    expect(alert.event?.id).toBeUndefined();
    expect(alert.event?.ingested).toBeUndefined();
    expect(alert.kibana.alert.original_time).toBe(iso(0));
    expect(first.event).toMatchObject({ action: 'ListFoundationModels', id: `ListFoundationModels-${iso(0)}` });
  });

  it('the e-mail lists the steps in order with their times, the shared key, and how to stop the key', async () => {
    const [detection] = await detect([bedrockCall('ListFoundationModels', iso(0)), bedrockCall('InvokeModel', iso(192_000))]);
    const notification = buildAlertNotification(detection?.alert as Detection['alert'], rule);
    const email = JSON.parse(notification.message).email as string;
    expect(email.replace(/\n(?! *\n)/g, ' ')).toMatch(/^Access key AKIAEXAMPLELONGTERM1 called bedrock:ListFoundationModels, then bedrock:InvokeModel 3 minutes 12 seconds later/);
    expect(email).toMatch(
      new RegExp(
        [
          '^SEQUENCE',
          'Shared key: +access key AKIAEXAMPLELONGTERM1',
          'Within: +maxspan 15m',
          `Step 1: +${iso(0).replace(/\./g, '\\.')} bedrock:ListFoundationModels`,
          `Step 2: +${iso(192_000).replace(/\./g, '\\.')} bedrock:InvokeModel$`,
        ].join('\n'),
        'm',
      ),
    );
    expect(email.replace(/ \\\n +/g, ' ')).toContain('aws iam update-access-key --user-name ci-deployer --access-key-id AKIAEXAMPLELONGTERM1 --status Inactive');
    expect(notification.subject).toContain('bedrock:ListFoundationModels then bedrock:InvokeModel');
    expect(email).toMatch(/^Actions: +bedrock:ListFoundationModels then bedrock:InvokeModel$/m);
    expect(email).toMatch(new RegExp(`^Event ids: +ListFoundationModels-${iso(0).replace(/\./g, '\\.')},\n +InvokeModel-`, 'm'));
  });
});
