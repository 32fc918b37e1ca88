import { captureStdout } from '../support/captured-stdout';
import { writeSuppressingRulePack } from '../support/exception-fixtures';
import { lambdaContext } from '../support/lambda-context';
import { eventFixture, loadHandler, useLocalLambdaTestbed, type CloudTrailEvent } from './handler-harness';

/**
 * What delivery asks of S3 per alert and per suppressed match, counted at the S3 front: the measurement behind the
 * decision in docs/delivery.md ("One home for state?") to keep delivery claims and suppression windows in the archive
 * bucket rather than in the state table.
 */

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:cloudtrail-detector-alerts';
const BASE = eventFixture('start-export-task-assumed-role.json');

function event(eventId: string): CloudTrailEvent {
  const copy = structuredClone(BASE);
  copy.id = `envelope-${eventId}`;
  (copy.detail as Record<string, unknown>).eventID = eventId;
  return copy;
}

describe('S3 requests of delivery', () => {
  const testbed = useLocalLambdaTestbed('delivery-requests-archive', TOPIC_ARN);
  const requests = () => testbed.s3.requests.map((request) => `${request.method} ${request.key.split('/')[0]}${request.ifNoneMatch ? ' if-none-match' : ''}${request.ifMatch ? ' if-match' : ''} ${request.status}`);

  it('an alert: two conditional PUTs of the archive object (claim, then published); a redelivery: one PUT refused and one GET', async () => {
    const cold = captureStdout();
    const handler = loadHandler();
    cold.restore();
    testbed.s3.clearRequests();
    await handler.handler(event('e1'), lambdaContext('r1'));
    expect(requests()).toEqual(['PUT alerts if-none-match 200', 'PUT alerts if-match 200']);
    testbed.s3.clearRequests();
    await handler.handler(event('e1'), lambdaContext('r2'));
    expect(requests()).toEqual(['PUT alerts if-none-match 412', 'GET alerts 200']);
  });

  it('a rule with alert suppression: the window is read and written for every match, the match archived either way', async () => {
    const pack = writeSuppressingRulePack();
    try {
      const cold = captureStdout();
      const handler = loadHandler({ DETECTOR_RULES_PATH: pack.path });
      cold.restore();
      testbed.s3.clearRequests();
      await handler.handler(event('s1'), lambdaContext('r1'));
      // Opens the window and publishes: the match claimed, the window created (no read of a missing key), published.
      expect(requests()).toEqual(['PUT alerts if-none-match 200', 'PUT suppression if-none-match 200', 'PUT alerts if-match 200']);
      testbed.s3.clearRequests();
      await handler.handler(event('s2'), lambdaContext('r2'));
      // Suppressed: the match claimed, the window's creation refused (it exists), read and updated, the match archived.
      expect(requests()).toEqual([
        'PUT alerts if-none-match 200',
        'PUT suppression if-none-match 412',
        'GET suppression 200',
        'PUT suppression if-match 200',
        'PUT alerts if-match 200',
      ]);
    } finally {
      pack.remove();
    }
  });
});
