import type { AlertStory, AlertSubject, EventNarrator, ResponseStep } from '../alert-story';
import type { ExportTaskFacts } from '../alert-facts';
import { consoleLinks } from '../console-links';
import { safeValue, type ShellCommand } from '../shell-command';
import { eventValue } from '../text-layout';
import { apiCall, describeActor, describeWhen, describeWhere, shortActor } from './phrases';

/** Export task states in which the task may still be writing to the bucket. */
const UNFINISHED = new Set(['STARTING', 'IN_PROGRESS', undefined]);

/**
 * `rds:StartExportTask`: who exported which snapshot or cluster to which bucket, and, first, how to stop it and
 * check where the data went: cancel the task in its region, check the bucket's owner and policy.
 */
export const exportTaskNarrator: EventNarrator = {
  name: 'RDS export task',
  narrate(story: AlertStory, { facts }: AlertSubject): boolean {
    const task = facts.exportTask;
    if (!task) return false;
    const source = task.sourceName ?? 'an unknown source';
    const destination = destinationOf(task);
    story.summary =
      `${describeActor(facts)} started exporting ${task.sourceKind} ${eventValue(source)} to ${destination ? eventValue(destination) : 'S3'} ` +
      `${describeWhere(facts)} ${describeWhen(facts.eventTime)}.`;
    story.actor = shortActor(facts);
    const bucket = task.bucket ? `s3://${task.bucket}` : undefined;
    story.subjectActions = [
      ...(destination ? [`exported ${source} to ${destination}`] : []),
      ...(bucket ? [`exported ${source} to ${bucket}`] : []),
      // Where the data went matters more than the whole source name: shorten the source before dropping it.
      ...(bucket ? [{ shrinkable: source, around: (part: string) => `exported ${part} to ${bucket}` }, `exported to ${bucket}`] : []),
      `exported ${source}`,
    ];
    story.steps.push(...cancelSteps(task, facts.region), ...bucketSteps(task, facts.account));

    story.section('what', 'What happened').add('Action', apiCall(facts)).add('Outcome', facts.outcome);
    story
      .section('export', 'What was exported')
      .add('Source', task.sourceArn)
      .add('Source type', task.sourceKind)
      .add('Destination', destination)
      .add('Tables', task.exportOnly.length > 0 ? task.exportOnly.join(', ') : 'everything (no exportOnly filter)')
      .add('KMS key', task.kmsKeyId)
      .add('IAM role', task.iamRoleArn)
      .add('Export task', task.taskId)
      .add('Task status', task.status);
    story.links.push(...consoleLinks(facts));
    return true;
  },
};

function destinationOf(task: ExportTaskFacts): string | undefined {
  if (!task.bucket) return undefined;
  const prefix = (task.prefix ?? '').replace(/^\/+/, '');
  return `s3://${task.bucket}/${prefix}`.replace(/\/$/, '');
}

function cancelSteps(task: ExportTaskFacts, eventRegion: string | undefined): ResponseStep[] {
  if (!UNFINISHED.has(task.status)) return [];
  const region = safeValue('region', eventRegion);
  const taskId = safeValue('exportTask', task.taskId);
  if (!region) return [{ title: 'Find and cancel the export task: the event names no valid region, so list the export tasks of each region in use.', commands: [] }];
  if (!taskId) {
    return [
      {
        title: `Cancel the export task in ${region}. The event's task id is not a valid identifier, so list the region's tasks and cancel the one writing to this bucket:`,
        commands: [{ words: ['aws', 'rds', 'describe-export-tasks', '--region', region] }],
      },
    ];
  }
  const cancel: ShellCommand = { words: ['aws', 'rds', 'cancel-export-task', '--region', region, '--export-task-identifier', taskId] };
  return [
    {
      title: `Cancel the export task in ${region} (it stops writing; files it already wrote stay in the bucket):`,
      commands: [cancel],
    },
  ];
}

function bucketSteps(task: ExportTaskFacts, eventAccount: string | undefined): ResponseStep[] {
  const bucket = safeValue('bucket', task.bucket);
  if (!bucket) {
    return task.bucket ? [{ title: "Check who owns the destination bucket and who can read it (the event's bucket name is not a valid bucket name: see What was exported).", commands: [] }] : [];
  }
  const account = safeValue('account', eventAccount);
  const headBucket: ShellCommand = { words: ['aws', 's3api', 'head-bucket', '--bucket', bucket, ...(account ? ['--expected-bucket-owner', account] : [])] };
  const policy: ShellCommand = { words: ['aws', 's3api', 'get-bucket-policy', '--bucket', bucket, '--query', 'Policy', '--output', 'text'] };
  return [
    {
      title: account
        ? `Check that account ${account} owns s3://${bucket} (a 403 from head-bucket means another account does, or you may not list it) and whom its policy lets read it:`
        : `Check who owns s3://${bucket} and whom its policy lets read it:`,
      commands: [headBucket, policy],
    },
  ];
}
