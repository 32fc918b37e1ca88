import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { describeDuration } from '../../engine/alerts/stateful-fields';
import { undeliveredAlertRequest } from '../../engine/alerts/undelivered-alert-request';
import type { CliIo } from '../cli-io';
import { LineWriter } from '../line-writer';
import { mapOrdered } from '../ordered-pool';
import { clientRegion, createS3Client } from '../s3/s3-client';
import { describeS3Error } from '../s3/s3-errors';
import { listObjects, type ListedObject } from '../s3/list-objects';
import { ObjectTooLargeError, readObject } from '../s3/read-object';
import { formatS3Url } from '../s3/s3-url';
import { printable, printableJson } from '../terminal-text';
import { PROGRAM_NAME } from '../usage';
import type { UndeliveredAlertsArguments } from './args';
import { describeAwsError } from './aws-error';
import { classifyForRedelivery, type LeftAlone, type UndeliveredAlert } from './undelivered-alert';

/** Archive objects read at once. */
const READ_CONCURRENCY = 8;
/** An archived alert holds one alert document (a CloudTrail event is at most 256 KB); far more is not one. */
const MAX_ARCHIVE_OBJECT_BYTES = 16 * 1024 * 1024;

/** One stdout line per undelivered alert (or per object that could not be read). */
export interface UndeliveredAlertLine {
  readonly archiveKey: string;
  readonly ruleId?: string;
  readonly eventId?: string;
  readonly alertKey?: string;
  readonly state?: UndeliveredAlert['state'];
  /** Seconds since the publish failed or the claim was taken; null when the archive's time is unreadable. */
  readonly ageSeconds?: number | null;
  readonly action: 'invoked' | 'would-invoke' | 'skipped';
  readonly reason?: string;
}

interface Tally {
  /** Objects under the prefix modified within --since, read and classified. */
  considered: number;
  undelivered: number;
  invoked: number;
  wouldInvoke: number;
  /** Undelivered alerts whose invoke was refused, and objects that could not be read. */
  failed: number;
  delivered: number;
  recentlyClaimed: number;
  notAlerts: number;
}

type ReadResult = { readonly object: ListedObject } & ({ readonly found: UndeliveredAlert | LeftAlone } | { readonly readError: string });

/**
 * Runs `redrive --undelivered-alerts` (docs/redrive.md, "Re-delivering undelivered alerts"): lists the archive under the
 * prefix, reads the objects modified within --since, and invokes the function asynchronously with one re-delivery
 * request per alert archived as `publish_failed` or abandoned `claimed`. Returns the exit code: 0 every undelivered alert
 * was handed to the function (or, with --dry-run, listed); 1 an invoke was refused, an object could not be read, or
 * the archive could not be listed.
 */
export async function runUndeliveredAlerts(args: UndeliveredAlertsArguments, io: CliIo): Promise<number> {
  const out = new LineWriter(io.stdout);
  const err = new LineWriter(io.stderr);
  const s3 = createS3Client();
  const lambda = new LambdaClient({});
  const { archive, functionName, dryRun, sinceMs, minAgeMs, max = Number.POSITIVE_INFINITY } = args;
  const now = new Date();
  const oldest = now.getTime() - sinceMs;
  const tally: Tally = { considered: 0, undelivered: 0, invoked: 0, wouldInvoke: 0, failed: 0, delivered: 0, recentlyClaimed: 0, notAlerts: 0 };
  let listError: string | undefined;

  async function* recentArchiveObjects(): AsyncGenerator<ListedObject> {
    for await (const object of listObjects(s3, archive.bucket, archive.prefix, { listRequests: 0 })) {
      // Only alert objects written within --since: older ones are past the failure queues' retention too.
      if (object.key.endsWith('.json') && (object.lastModified === undefined || object.lastModified.getTime() >= oldest)) yield object;
    }
  }

  const read = async (object: ListedObject): Promise<ReadResult> => {
    try {
      const body = await readObject(s3, archive.bucket, object.key, { maxRawBytes: MAX_ARCHIVE_OBJECT_BYTES });
      return { object, found: classifyForRedelivery(body.toString('utf8'), now, minAgeMs) };
    } catch (error) {
      if (error instanceof ObjectTooLargeError) return { object, found: { kind: 'not-an-alert', reason: `larger than ${MAX_ARCHIVE_OBJECT_BYTES} bytes` } };
      return { object, readError: describeS3Error(error, archive.bucket, object.key, 'get', await clientRegion(s3)) };
    }
  };

  try {
    for await (const result of mapOrdered(recentArchiveObjects(), READ_CONCURRENCY, read)) {
      if (out.closed) break;
      tally.considered += 1;
      if ('readError' in result) {
        tally.failed += 1;
        await out.writeLine(printableJson({ archiveKey: result.object.key, action: 'skipped', reason: `cannot read: ${result.readError}` } satisfies UndeliveredAlertLine));
        continue;
      }
      const { found } = result;
      if (found.kind !== 'undelivered') {
        count(found);
        continue;
      }
      tally.undelivered += 1;
      await out.writeLine(printableJson(await redeliver(result.object.key, found)));
      if (tally.undelivered >= max) break;
    }
  } catch (error) {
    listError = describeS3Error(error, archive.bucket, archive.prefix, 'list', await clientRegion(s3));
  } finally {
    s3.destroy();
    lambda.destroy();
  }

  if (listError !== undefined) await err.writeLine(`${PROGRAM_NAME}: ${printable(listError)}`);
  const outputFailure = out.unexpectedFailure;
  if (outputFailure !== undefined) await err.writeLine(`${PROGRAM_NAME}: cannot write to stdout: ${outputFailure.message}`);
  await err.writeLine(printable(formatSummary(tally, formatS3Url(archive.bucket, archive.prefix), args, tally.undelivered >= max)));
  return tally.failed > 0 || listError !== undefined || outputFailure !== undefined ? 1 : 0;

  function count(found: LeftAlone): void {
    if (found.kind === 'delivered') tally.delivered += 1;
    else if (found.kind === 'recently-claimed') tally.recentlyClaimed += 1;
    else tally.notAlerts += 1;
  }

  async function redeliver(archiveKey: string, alert: UndeliveredAlert): Promise<UndeliveredAlertLine> {
    const line = {
      archiveKey,
      ruleId: alert.ruleId,
      eventId: alert.eventId,
      ...(alert.alertKey ? { alertKey: alert.alertKey } : {}),
      state: alert.state,
      ageSeconds: alert.ageMs === undefined ? null : Math.floor(alert.ageMs / 1000),
    };
    if (dryRun) {
      tally.wouldInvoke += 1;
      return { ...line, action: 'would-invoke' };
    }
    try {
      const payload = Buffer.from(JSON.stringify(undeliveredAlertRequest(archiveKey)), 'utf8');
      const answer = await lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: payload }));
      if (answer.StatusCode !== 202) throw new Error(`invoke answered with status ${String(answer.StatusCode)}, not 202`);
    } catch (error) {
      tally.failed += 1;
      return { ...line, action: 'skipped', reason: `invoke failed: ${describeAwsError(error)}` };
    }
    tally.invoked += 1;
    return { ...line, action: 'invoked' };
  }
}

function formatSummary(tally: Tally, where: string, args: UndeliveredAlertsArguments, reachedMax: boolean): string {
  const handled = args.dryRun
    ? `${tally.wouldInvoke} would be re-delivered, nothing invoked (dry run)`
    : `${tally.invoked} handed to the function, ${tally.failed} failed`;
  const leftAlone = [
    `${tally.delivered} delivered or suppressed`,
    `${tally.recentlyClaimed} claimed less than ${describeDuration(args.minAgeMs)} ago (left alone)`,
    `${tally.notAlerts} not archived alerts`,
  ];
  const limit = reachedMax ? '; stopped at --max' : '';
  return (
    `redrive: ${tally.considered} archive object${tally.considered === 1 ? '' : 's'} under ${where} modified in the last ` +
    `${describeDuration(args.sinceMs)}: ${tally.undelivered} undelivered (${handled}); ${leftAlone.join(', ')}${limit}`
  );
}
