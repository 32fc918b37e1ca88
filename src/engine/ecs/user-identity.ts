import { DocumentBuilder } from './document-builder';
import { parseSessionCreationDate } from './iso8601-date';
import { asKeyword, isJsonObject, JsonObject, member, path } from './json-values';

const SERVICE_LINKED_ROLE_MARKER = ':role/aws-service-role/';
const STS_SESSION_ARN = /^arn:[a-z0-9-]+:sts:.*\/(.*)$/;
const LINE_TERMINATOR = /[\n\r\u2028\u2029]/;
const SESSION_NAME_TYPES = new Set(['AssumedRole', 'FederatedUser', 'IdentityCenterUser']);
const ROLE_ISSUED_TYPES = new Set(['AssumedRole', 'FederatedUser']);

/** What later steps (related.user, entities) need to know about the caller. */
export interface CallerSummary {
  identityType?: string;
  isServiceActor: boolean;
  /** Last path segment of an STS session ARN, e.g. an SSO e-mail. */
  sessionName?: string;
  sessionNameLocalPart?: string;
}

/** AWS services act either as `AWSService` or through a service-linked role; `invokedBy` alone does not count. */
export function isServiceActor(userIdentity: unknown): boolean {
  const identityType = asKeyword(member(userIdentity, 'type'));
  if (identityType === 'AWSService') return true;
  const issuerArn = asKeyword(path(userIdentity, 'sessionContext', 'sessionIssuer', 'arn'));
  return identityType === 'AssumedRole' && issuerArn !== undefined && issuerArn.includes(SERVICE_LINKED_ROLE_MARKER);
}

function serviceLinkedRoleService(issuerArn: string | undefined): string | undefined {
  if (issuerArn === undefined) return undefined;
  const start = issuerArn.indexOf(SERVICE_LINKED_ROLE_MARKER);
  if (start < 0) return undefined;
  const rest = issuerArn.slice(start + SERVICE_LINKED_ROLE_MARKER.length);
  const slash = rest.indexOf('/');
  return slash < 0 ? rest : rest.slice(0, slash);
}

function mapIdentityDetails(userIdentity: JsonObject, doc: DocumentBuilder): void {
  const prefix = 'aws.cloudtrail.user_identity';
  doc.set(`${prefix}.type`, asKeyword(userIdentity.type));
  doc.set(`${prefix}.arn`, asKeyword(userIdentity.arn));
  doc.set(`${prefix}.access_key_id`, asKeyword(userIdentity.accessKeyId));
  doc.set(`${prefix}.invoked_by`, asKeyword(userIdentity.invokedBy));
  doc.set(`${prefix}.invoked_by_delegate.account_id`, asKeyword(path(userIdentity, 'invokedByDelegate', 'accountId')));
  doc.set(`${prefix}.credential_id`, asKeyword(userIdentity.credentialId));
  doc.set(`${prefix}.identity_provider`, asKeyword(userIdentity.identityProvider));

  const inScopeOf = userIdentity.inScopeOf;
  doc.set(`${prefix}.in_scope_of.issuer_type`, asKeyword(member(inScopeOf, 'issuerType')));
  doc.set(`${prefix}.in_scope_of.credentials_issued_to`, asKeyword(member(inScopeOf, 'credentialsIssuedTo')));
  doc.set(`${prefix}.in_scope_of.source_arn`, asKeyword(member(inScopeOf, 'sourceArn')));
  doc.set(`${prefix}.in_scope_of.source_account`, asKeyword(member(inScopeOf, 'sourceAccount')));

  const onBehalfOf = userIdentity.onBehalfOf;
  doc.set(`${prefix}.on_behalf_of.user_id`, asKeyword(member(onBehalfOf, 'userId')));
  doc.set(`${prefix}.on_behalf_of.identity_store_arn`, asKeyword(member(onBehalfOf, 'identityStoreArn')));

  const sessionContext = userIdentity.sessionContext;
  const session = `${prefix}.session_context`;
  doc.set(`${session}.mfa_authenticated`, asKeyword(path(sessionContext, 'attributes', 'mfaAuthenticated')));
  const creationDate = asKeyword(path(sessionContext, 'attributes', 'creationDate'));
  doc.set(`${session}.creation_date`, creationDate === undefined ? undefined : parseSessionCreationDate(creationDate));
  const issuer = member(sessionContext, 'sessionIssuer');
  doc.set(`${session}.session_issuer.type`, asKeyword(member(issuer, 'type')));
  doc.set(`${session}.session_issuer.principal_id`, asKeyword(member(issuer, 'principalId')));
  doc.set(`${session}.session_issuer.arn`, asKeyword(member(issuer, 'arn')));
  doc.set(`${session}.session_issuer.account_id`, asKeyword(member(issuer, 'accountId')));
  doc.set(`${session}.ec2_role_delivery`, asKeyword(member(sessionContext, 'ec2RoleDelivery')));
  doc.set(`${session}.source_identity`, asKeyword(member(sessionContext, 'sourceIdentity')));
  const webIdentity = member(sessionContext, 'webIdFederationData');
  doc.set(`${session}.web_id_federation_data.federated_provider`, asKeyword(member(webIdentity, 'federatedProvider')));
  const attributes = member(webIdentity, 'attributes');
  doc.set(`${session}.web_id_federation_data.attributes`, isJsonObject(attributes) ? attributes : undefined);
  doc.set(`${session}.assumed_root`, asKeyword(member(sessionContext, 'assumedRoot')));
  doc.set(`${session}.sign_in_session_arn`, asKeyword(member(sessionContext, 'signInSessionArn')));
}

/**
 * `user.*`, `service.name` and `aws.cloudtrail.user_identity.*` from `userIdentity`, in the pipeline's order:
 * service actors first (they get no user.*), then name/id, the role name for role sessions,
 * the session name (related.user and e-mail only), Identity Center and UserAuthentication fallbacks.
 * `user.email` from an e-mail-shaped `user.name` is left to the caller, which runs it last.
 */
export function mapUserIdentity(json: JsonObject, doc: DocumentBuilder): CallerSummary {
  const userIdentity = json.userIdentity;
  if (!isJsonObject(userIdentity)) return { isServiceActor: false };
  mapIdentityDetails(userIdentity, doc);

  const identityType = asKeyword(userIdentity.type);
  const issuerArn = asKeyword(path(userIdentity, 'sessionContext', 'sessionIssuer', 'arn'));
  const serviceActor = isServiceActor(userIdentity);
  if (serviceActor) {
    doc.set('service.name', asKeyword(userIdentity.invokedBy) ?? serviceLinkedRoleService(issuerArn));
  } else {
    doc.set('user.name', asKeyword(userIdentity.userName));
    doc.set('user.id', asKeyword(userIdentity.principalId));
    if (identityType !== undefined && ROLE_ISSUED_TYPES.has(identityType)) {
      doc.set('user.name', asKeyword(path(userIdentity, 'sessionContext', 'sessionIssuer', 'userName')));
    }
  }

  const summary: CallerSummary = { identityType, isServiceActor: serviceActor };
  const arn = asKeyword(userIdentity.arn);
  if (identityType !== undefined && SESSION_NAME_TYPES.has(identityType) && arn !== undefined) {
    // Multi-line values can never be session ARNs; skipping them also avoids quadratic regex backtracking.
    const sessionName = LINE_TERMINATOR.test(arn) ? undefined : STS_SESSION_ARN.exec(arn)?.[1];
    if (sessionName !== undefined && sessionName !== '') {
      summary.sessionName = sessionName;
      const at = sessionName.indexOf('@');
      if (at >= 0) {
        summary.sessionNameLocalPart = sessionName.slice(0, at);
        if (!serviceActor) doc.set('user.email', sessionName);
      }
    }
  }

  if (!serviceActor) {
    if (identityType === 'IdentityCenterUser' && !doc.has('user.id')) {
      doc.set('user.id', asKeyword(path(userIdentity, 'onBehalfOf', 'userId')));
    }
    if (json.eventName === 'UserAuthentication' && !doc.has('user.name')) {
      doc.set('user.name', asKeyword(path(json, 'additionalEventData', 'UserName')));
    }
  }
  return summary;
}

/** Last user step of the pipeline: an e-mail-shaped user name doubles as the e-mail, unsplit. */
export function deriveEmailFromUserName(doc: DocumentBuilder): void {
  if (doc.has('user.email')) return;
  const userName = doc.get('user.name');
  if (typeof userName === 'string' && userName.indexOf('@') > 0) doc.set('user.email', userName);
}
