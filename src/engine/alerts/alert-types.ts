import type { EcsDocument } from '../ecs/ecs-document';

/**
 * An alert: the ECS document of the matching event plus Elastic-style `kibana.alert.*` fields
 * (`kibana: { alert: { rule: {...}, severity, ... } } }`, nested like the ECS part), with `event.kind: signal`.
 */
export type AlertDocument = EcsDocument;

/** What the CloudTrail record arrived in, when it came through EventBridge. */
export interface EventBridgeEnvelopeInfo {
  readonly id?: string;
  readonly account?: string;
  readonly region?: string;
  readonly time?: string;
  readonly source?: string;
  readonly detailType?: string;
}

/** Everything the engine needs besides the record itself. Injected so that results are reproducible. */
export interface DetectionContext {
  /** When the detector received the record: becomes `event.created` / `event.ingested` and the alert's `@timestamp`. */
  readonly receivedAt: Date;
  /** The raw text of the record, when known (kept as `event.original`); otherwise the record is serialised. */
  readonly original?: string;
  readonly envelope?: EventBridgeEnvelopeInfo;
}

/** A publish-ready notification, independent of the SNS SDK: the Lambda maps it onto PublishCommand. */
export interface AlertNotification {
  /** Under 100 characters; no line breaks, control or bidi characters. */
  readonly subject: string;
  /** JSON text `{"default": <alert JSON>, "email": <readable text>}` for `MessageStructure: "json"`. */
  readonly message: string;
  /**
   * String attributes for subscription filter policies. `account` and `region` are where the event happened (the
   * member account in an organization deployment, not the security account running the detector).
   */
  readonly attributes: Readonly<Record<'severity' | 'rule_id' | 'account' | 'region', string>>;
}
