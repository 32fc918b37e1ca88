import { accountLabel, type AlertFacts } from '../alert-facts';
import type { AlertNarrator, AlertStory, AlertSubject, ResponseStep } from '../alert-story';
import { type FragmentedWord, safeValue, type ShellCommand } from '../shell-command';
import { eventValue } from '../text-layout';

/**
 * Who made the call, and how to stop them from making another, from what the event says about the identity: revoke
 * an assumed role's sessions, disable an IAM user's access key or deny its sessions, or, where no command can help
 * (root, an AWS service), what to do instead. Used for every rule.
 */
export const identityNarrator: AlertNarrator = {
  name: 'caller identity',
  narrate(story: AlertStory, { facts, raisedAt }: AlertSubject): void {
    const { actor } = facts;
    story
      .section('who', 'Who')
      .add('Identity', actor.identityType)
      .add(actor.identityType === 'AssumedRole' ? 'Role' : 'Name', actor.identityType === 'AssumedRole' ? (actor.issuer?.name ?? actor.name) : actor.name)
      .add('Session', actor.sessionName)
      .add('ARN', actor.arn)
      .add('Access key', actor.accessKeyId)
      .add('Caller acct', actor.accountId !== facts.account ? accountLabel(actor.accountId, facts.callerAccountName) : undefined)
      .add('Via service', actor.invokedBy)
      // Enriched: `198.51.100.201 (AS16509 Amazon.com, Inc.; Ashburn, US)` answers "whose network?" at a glance.
      .add('Source IP', facts.sourceAddress && (facts.sourceNetwork ? `${facts.sourceAddress} (${facts.sourceNetwork})` : facts.sourceAddress))
      // The tool first (`aws-cli 2.17 on macOS`), the raw string below it: the evidence stays in the mail.
      .add('User agent', facts.userAgentTool ?? facts.userAgent)
      .add('Agent string', facts.userAgentTool !== undefined ? facts.userAgent : undefined);
    const step = stopTheCaller(facts, revocationTime(raisedAt, facts.eventTime));
    if (step) story.steps.push(step);
  },
};

function stopTheCaller(facts: AlertFacts, issuedBefore: string | undefined): ResponseStep | undefined {
  const { actor } = facts;
  const issuerAccount = safeValue('account', actor.issuer?.accountId ?? actor.accountId);
  const where = issuerAccount ? ` (run in account ${issuerAccount})` : '';
  switch (actor.identityType) {
    case 'AssumedRole': {
      const role = safeValue('iamName', actor.issuer?.type === 'Role' ? actor.issuer.name : undefined);
      if (!role || !issuedBefore) return { title: "Revoke the role's active sessions in the IAM console (Roles, the role, Revoke sessions): the event's role name is not a valid IAM name.", commands: [] };
      return {
        title: `Revoke the sessions of role ${role} issued before the alert${where}. Everyone using the role signs in again:`,
        commands: [denyOlderSessions('put-role-policy', '--role-name', role, issuedBefore)],
        undo: { words: ['aws', 'iam', 'delete-role-policy', '--role-name', role, '--policy-name', REVOKE_POLICY] },
      };
    }
    case 'IAMUser': {
      const user = safeValue('iamName', actor.name);
      const key = safeValue('accessKey', actor.accessKeyId);
      if (!user) return { title: "Disable the user's access keys in the IAM console: the event's user name is not a valid IAM name.", commands: [] };
      if (key?.startsWith('AKIA')) {
        return {
          title: `Disable the access key user ${user} called with${where}:`,
          commands: [{ words: ['aws', 'iam', 'update-access-key', '--user-name', user, '--access-key-id', key, '--status', 'Inactive'] }],
          undo: { words: ['aws', 'iam', 'update-access-key', '--user-name', user, '--access-key-id', key, '--status', 'Active'] },
        };
      }
      if (!issuedBefore) return undefined;
      return {
        title: `Deny the sessions of user ${user} issued before the alert${where}:`,
        commands: [denyOlderSessions('put-user-policy', '--user-name', user, issuedBefore)],
        undo: { words: ['aws', 'iam', 'delete-user-policy', '--user-name', user, '--policy-name', REVOKE_POLICY] },
      };
    }
    case 'FederatedUser': {
      // GetFederationToken sessions are stopped through the IAM user that created them.
      const user = safeValue('iamName', actor.issuer?.type === 'IAMUser' ? actor.issuer.name : undefined);
      if (!user || !issuedBefore) return undefined;
      return {
        title: `Deny the federated sessions IAM user ${user} issued before the alert${where}:`,
        commands: [denyOlderSessions('put-user-policy', '--user-name', user, issuedBefore)],
        undo: { words: ['aws', 'iam', 'delete-user-policy', '--user-name', user, '--policy-name', REVOKE_POLICY] },
      };
    }
    case 'Root':
      return {
        title: `The root user made this call${issuerAccount ? ` in account ${issuerAccount}` : ''}: no policy can stop root. Sign in as root now, change its password and MFA device, and delete any root access key${actor.accessKeyId?.startsWith('AKIA') ? ` (it used ${safeValue('accessKey', actor.accessKeyId) ?? 'one'})` : ''}.`,
        commands: [],
      };
    case 'AWSService':
      return {
        title: `An AWS service (${eventValue(actor.invokedBy ?? 'unnamed', 100)}) made this call for the account: find what configured it to, in that service, before stopping it.`,
        commands: [],
      };
    default:
      return undefined;
  }
}

/** The inline policy name the IAM console uses for "Revoke active sessions". */
const REVOKE_POLICY = 'AWSRevokeOlderSessions';

/**
 * What the IAM console's "Revoke active sessions" does: an inline policy that denies everything to credentials
 * issued before a time (`aws:TokenIssueTime`). Later sign-ins are not affected.
 */
function denyOlderSessions(action: 'put-role-policy' | 'put-user-policy', nameOption: string, name: string, issuedBefore: string): ShellCommand {
  const document: FragmentedWord = {
    fragments: [
      `'{"Version":"2012-10-17",`,
      `"Statement":[{"Effect":"Deny",`,
      `"Action":"*","Resource":"*",`,
      `"Condition":{"DateLessThan":`,
      `{"aws:TokenIssueTime":"${issuedBefore}"}}}]}'`,
    ],
  };
  return { words: ['aws', 'iam', action, nameOption, name, '--policy-name', REVOKE_POLICY, '--policy-document', document] };
}

/** The alert's time (else the event's), to the second: credentials issued before it are denied. */
function revocationTime(raisedAt: string, eventTime: string | undefined): string | undefined {
  for (const time of [raisedAt, eventTime]) {
    const date = time ? new Date(time) : undefined;
    if (date && !Number.isNaN(date.getTime())) return safeValue('time', `${date.toISOString().slice(0, 19)}Z`);
  }
  return undefined;
}
