import type * as sns from 'aws-cdk-lib/aws-sns';
import type { RuleExceptionMapping } from '../src/engine/exceptions';
import type { DetectorRules } from './detector-rules';
import type { DetectorEnrichmentProps } from './enrichment-bundle';

/**
 * What a `CloudTrailDetector` deploys and who hears about it. Only `alertEmails` (or `alertSubscriptions`, or an
 * explicit `allowNoSubscribers`) is needed; everything else has a default. Each feature is one optional group of
 * settings, so a new one (a state table for stateful rules, enrichment data…) is one more optional prop.
 */
export interface CloudTrailDetectorProps {
  /**
   * The detection rules (Elastic detection-rules TOML schema), validated and compiled when the detector is
   * constructed. Rules of types the engine cannot run yet are left out and reported in one synth warning.
   * @default DetectorRules.shipped(): the rules shipped with the package (RDS snapshot export to S3)
   */
  readonly rules?: DetectorRules;

  /**
   * E-mail addresses subscribed to the alert topic; SNS asks each to confirm. An invalid address fails the synth.
   * @default none
   */
  readonly alertEmails?: readonly string[];

  /**
   * Further subscribers of the alert topic, e.g. `new subscriptions.SqsSubscription(queue)`; they receive the
   * alert JSON and may filter on the message attributes `severity`, `rule_id`, `account` and `region`.
   * Subscriptions added later with `detector.alertTopic.addSubscription()` count too.
   * @default none
   */
  readonly alertSubscriptions?: readonly sns.ITopicSubscription[];

  /**
   * Deploy even though no one is subscribed to alerts (they are still archived in S3, and subscribers can be added
   * outside this app). Without it, a detector with no subscriber fails the synth: it would alert no one.
   * @default false
   */
  readonly allowNoSubscribers?: boolean;

  /** Kibana exception lists that tune known automation out (docs/exceptions.md). @default none */
  readonly exceptions?: DetectorExceptionsProps;

  /**
   * Organization (central) mode: the rules listen on a custom event bus that the organization's accounts forward
   * to (docs/organization.md); this account's own events are forwarded to it as well.
   * @default single-account mode: the rules listen on this account's default bus
   */
  readonly organization?: DetectorOrganizationProps;

  /**
   * Display names of AWS accounts shown next to their ids in alerts, e.g. `{ '123456789012': 'Payments-Prod' }`.
   * @default none
   */
  readonly accountNames?: Readonly<Record<string, string>>;

  /**
   * Where operational alarms go (function errors, throttles, dead-lettered events). Its owner must let
   * `cloudwatch.amazonaws.com` publish (and use its key, if encrypted).
   * @default the alert topic
   */
  readonly opsTopic?: sns.ITopic;

  /**
   * Reserved concurrency of the detector function, or `'none'` for accounts whose concurrency quota is too small to
   * reserve from. It bounds what a flood of matching calls can cost and guarantees the detector capacity.
   * @default 10
   */
  readonly reservedConcurrency?: number | 'none';

  /**
   * GeoIP, ASN and user-agent enrichment of every event (`source.geo.*`, `source.as.*`, `user_agent.*`), as Elastic's
   * pipeline does it; the databases ship in the function's package (docs/enrichment.md).
   * @default on, with the shipped country and ASN databases
   */
  readonly enrichment?: DetectorEnrichmentProps;

  /**
   * Tags on every resource, besides `application: cloudtrail-stream-detector`.
   * @default none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

export interface DetectorExceptionsProps {
  /** A folder of Kibana exception list exports (`*.ndjson`); every item needs an owner, a reason and an expiry. */
  readonly directory?: string;
  /** Exception lists applied to a rule besides those its own `exceptions_list` names: rule id → list ids. */
  readonly mapping?: RuleExceptionMapping;
  /** Accept items without `expire_time` (they are flagged NEVER EXPIRES in the audit report). @default false */
  readonly allowWithoutExpiry?: boolean;
}

export interface DetectorOrganizationProps {
  /** The AWS Organizations id (`o-` and 10 to 32 characters); only its accounts may put events on the bus. */
  readonly organizationId: string;
  /** @default 'cloudtrail-detector' */
  readonly eventBusName?: string;
}
