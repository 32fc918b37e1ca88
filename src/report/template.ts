/** The parts of a synthesized CloudFormation template the report reads. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: unknown; readonly Description?: string }>;
}

export type PolicyStatement = Record<string, any>;

/** `[logicalId, resource]` of every resource of `type`, in template order. */
export function ofType(template: CfnTemplate, type: string): Array<[string, CfnResource]> {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

export function asArray<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

/** One acknowledged cdk-nag finding as cdk-nag writes it into the resource metadata. */
export interface Acknowledgement {
  readonly logicalId: string;
  readonly id: string;
  readonly reason: string;
}

/** Every acknowledgement in the template (`Metadata.cdk_nag.rules_to_suppress`, written by lib/posture.ts). */
export function acknowledgements(template: CfnTemplate): Acknowledgement[] {
  return Object.entries(template.Resources).flatMap(([logicalId, resource]) =>
    asArray<{ id: string; reason: string }>(resource.Metadata?.cdk_nag?.rules_to_suppress).map(({ id, reason }) => ({ logicalId, id, reason })),
  );
}

/** A policy document and what it is attached to: an identity policy of a role or a resource policy. */
export interface AttachedPolicy {
  readonly kind: 'identity' | 'resource' | 'trust';
  /** Logical id of the resource holding the document (role, policy, topic policy, key…). */
  readonly holder: string;
  readonly holderType: string;
  /** Inline policy name, when there is one. */
  readonly name?: string;
  /** What the policy governs, as written in the template (`Queues`, `Bucket`, `Topics`, the key itself, `Roles`). */
  readonly subjects: unknown[];
  readonly statements: PolicyStatement[];
}

/** Every policy document in the template: role inline policies, AWS::IAM::Policy, and resource policies. */
export function policies(template: CfnTemplate): AttachedPolicy[] {
  const found: AttachedPolicy[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const properties = resource.Properties ?? {};
    const statementsOf = (document: any): PolicyStatement[] => asArray<PolicyStatement>(document?.Statement);
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        found.push({ kind: 'trust', holder: logicalId, holderType: resource.Type, subjects: [{ Ref: logicalId }], statements: statementsOf(properties.AssumeRolePolicyDocument) });
        for (const policy of asArray<any>(properties.Policies)) {
          found.push({ kind: 'identity', holder: logicalId, holderType: resource.Type, name: policy.PolicyName, subjects: [{ Ref: logicalId }], statements: statementsOf(policy.PolicyDocument) });
        }
        break;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        found.push({ kind: 'identity', holder: logicalId, holderType: resource.Type, name: properties.PolicyName ?? properties.ManagedPolicyName, subjects: asArray(properties.Roles), statements: statementsOf(properties.PolicyDocument) });
        break;
      case 'AWS::SNS::TopicPolicy':
        found.push({ kind: 'resource', holder: logicalId, holderType: resource.Type, subjects: asArray(properties.Topics), statements: statementsOf(properties.PolicyDocument) });
        break;
      case 'AWS::SQS::QueuePolicy':
        found.push({ kind: 'resource', holder: logicalId, holderType: resource.Type, subjects: asArray(properties.Queues), statements: statementsOf(properties.PolicyDocument) });
        break;
      case 'AWS::S3::BucketPolicy':
        found.push({ kind: 'resource', holder: logicalId, holderType: resource.Type, subjects: asArray(properties.Bucket), statements: statementsOf(properties.PolicyDocument) });
        break;
      case 'AWS::KMS::Key':
        found.push({ kind: 'resource', holder: logicalId, holderType: resource.Type, subjects: [{ Ref: logicalId }], statements: statementsOf(properties.KeyPolicy) });
        break;
      case 'AWS::Lambda::Permission':
        // A Lambda resource-based policy statement, written as its own resource.
        found.push({
          kind: 'resource',
          holder: logicalId,
          holderType: resource.Type,
          subjects: [properties.FunctionName],
          statements: [
            {
              Effect: 'Allow',
              Principal: properties.Principal,
              Action: properties.Action,
              Resource: properties.FunctionName,
              ...(properties.SourceArn || properties.SourceAccount
                ? { Condition: { ...(properties.SourceArn ? { ArnLike: { 'AWS:SourceArn': properties.SourceArn } } : {}), ...(properties.SourceAccount ? { StringEquals: { 'AWS:SourceAccount': properties.SourceAccount } } : {}) } }
                : {}),
            },
          ],
        });
        break;
      default:
        break;
    }
  }
  return found;
}
