/**
 * The pipeline's per-eventName categorization table. Keys are case-sensitive and independent of
 * the event source; names absent from the table get `event.type: [info]` and no `event.category`.
 */

export interface EventCategorization {
  category: string[];
  type: string[];
}

const CATEGORIZATION_TABLE = new Map<string, EventCategorization>();

function define(category: string, type: string[], eventNames: string[]): void {
  for (const eventName of eventNames) CATEGORIZATION_TABLE.set(eventName, { category: [category], type });
}

define('iam', ['group', 'change'], [
  'AddUserToGroup', 'AttachGroupPolicy', 'DeleteGroupPolicy', 'DetachGroupPolicy', 'PutGroupPolicy',
  'RemoveUserFromGroup', 'UpdateGroup',
]);
define('iam', ['group', 'creation'], ['CreateGroup']);
define('iam', ['group', 'deletion'], ['DeleteGroup']);
define('iam', ['group', 'info'], ['GetGroup', 'GetGroupPolicy', 'ListAttachedGroupPolicies', 'ListGroupPolicies', 'ListGroups']);
define('iam', ['user', 'change'], [
  'AttachUserPolicy', 'ChangePassword', 'CreateAccessKey', 'CreateVirtualMFADevice', 'DeactivateMFADevice',
  'DeleteAccessKey', 'DeleteSSHPublicKey', 'DeleteUserPermissionsBoundary', 'DeleteUserPolicy',
  'DeleteVirtualMFADevice', 'DetachUserPolicy', 'EnableMFADevice', 'PutUserPermissionsBoundary', 'PutUserPolicy',
  'TagUser', 'UntagUser', 'UpdateAccessKey', 'UpdateLoginProfile', 'UpdateSSHPublicKey', 'UpdateUser',
]);
define('iam', ['user', 'creation'], ['CreateUser']);
define('iam', ['user', 'deletion'], ['DeleteUser']);
define('iam', ['user', 'info'], [
  'GetUser', 'GetUserPolicy', 'ListAttachedUserPolicies', 'ListGroupsForUser', 'ListUserPolicies', 'ListUsers',
  'ListUserTags',
]);
define('iam', ['admin', 'creation'], ['CreateKeyPair']);
define('iam', ['admin', 'change'], [
  'SetDefaultPolicyVersion', 'SetSecurityTokenServicePreferences', 'UpdateAccountPasswordPolicy', 'UpdateRole',
]);
define('iam', ['info'], ['ListRoles', 'GetPolicy', 'ListAttachedRolePolicies']);
define('iam', ['creation'], ['CreatePolicy']);
define('iam', ['change'], ['AttachRolePolicy']);
define('authentication', ['info'], ['AssumeRole', 'ConsoleLogin', 'GetCallerIdentity']);
define('file', ['creation'], ['CreateBucket', 'CreateDocument']);
define('file', ['deletion'], ['DeleteBucket', 'DeleteObject']);
define('file', ['info'], ['ListBuckets', 'ListObjects', 'HeadObject', 'GetObject']);
define('file', ['change'], ['PutObject']);
define('host', ['info'], ['DescribeInstances', 'DescribeVolumes', 'ListInstanceAssociations']);
define('network', ['info'], [
  'DescribeSecurityGroups', 'DescribeNetworkInterfaces', 'DescribeVpcs', 'DescribeNetworkAcls', 'DescribeLoadBalancers',
]);
define('network', ['access'], ['AuthorizeSecurityGroupIngress']);
define('api', ['info'], ['DescribeRegions', 'Publish', 'Converse']);
define('configuration', ['info'], ['DescribeTrails']);
define('configuration', ['deletion'], ['DeleteTrail']);
define('configuration', ['creation'], ['CreateTopic']);
define('configuration', ['change'], ['Subscribe']);
define('package', ['info'], ['ListFunctions']);
define('database', ['info'], ['ListTables', 'DescribeDBInstances']);
define('process', ['start'], ['SendCommand']);
define('session', ['start'], ['StartSession', 'CreateControlChannel', 'OpenControlChannel', 'CreateDataChannel', 'OpenDataChannel']);
define('session', ['end'], ['TerminateSession']);

export function categorize(eventName: string | undefined): EventCategorization | undefined {
  return eventName === undefined ? undefined : CATEGORIZATION_TABLE.get(eventName);
}

/**
 * `failure` when an error code or message survived null removal (any value, even "200").
 * ConsoleLogin events instead take their `responseElements.ConsoleLogin` verdict, lowercased.
 */
export function eventOutcome(hasError: boolean, eventName: string | undefined, consoleLoginResult: string | undefined): string {
  if (eventName === 'ConsoleLogin' && consoleLoginResult !== undefined) return consoleLoginResult.toLowerCase();
  return hasError ? 'failure' : 'success';
}

/**
 * The event names the table gives `value` as a category (or type), and whether every name outside the table (or no
 * name) has it too: only the type `info` does. Lets a translation reproduce `event.category` / `event.type` exactly.
 */
export function eventNamesCategorizedAs(field: 'category' | 'type', value: string): { readonly names: string[]; readonly withoutNames: string[]; readonly otherNames: boolean } {
  const names: string[] = [];
  const withoutNames: string[] = [];
  for (const [eventName, categorization] of CATEGORIZATION_TABLE) (categorization[field].includes(value) ? names : withoutNames).push(eventName);
  return { names, withoutNames, otherNames: field === 'type' && value === 'info' };
}
