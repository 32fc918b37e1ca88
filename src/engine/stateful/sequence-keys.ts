import { childrenOf, type EqlExpression, type EqlField } from '../eql/ast';
import { compileEventFilter, type EqlPredicate } from '../eql/compile-condition';
import type { SequenceMatcher, SequenceRoute } from '../eql/sequence';

/**
 * Join keys no sequence can ever start under, told from the key alone. The Bedrock rule's first step requires
 * `aws.cloudtrail.user_identity.access_key_id like "AKIA*"`, its second does not: every model invocation under a
 * role's temporary key (`ASIA…`) matches the second step, yet no sequence can start under that key. Without this,
 * each such invocation would read and write the state; with it, it costs nothing.
 *
 * A key is infeasible when a top-level conjunct of the first step's condition reads only one key field and is
 * false for the key's value alone. Routes of every step, the first included, are dropped for such keys, so the
 * rule stays consistent with itself. It equals Elasticsearch's answer whenever the key fields have one value per
 * event (CloudTrail's identity fields do); for an event of the first step with several values of a key field,
 * only the keys whose value satisfies the conjunct start a sequence (Elasticsearch would start one under each).
 */
interface KeyCheck {
  /** Position of the key field in the join key. */
  readonly position: number;
  readonly field: string;
  readonly holds: EqlPredicate;
}

const checksByMatcher = new WeakMap<SequenceMatcher, readonly KeyCheck[]>();

export function feasibleKey(matcher: SequenceMatcher, route: SequenceRoute): boolean {
  return keyChecks(matcher).every((check) => {
    const value = route.key[check.position];
    return check.holds(value === null || value === undefined ? {} : { [check.field]: value });
  });
}

function keyChecks(matcher: SequenceMatcher): readonly KeyCheck[] {
  let checks = checksByMatcher.get(matcher);
  if (checks === undefined) {
    checks = buildKeyChecks(matcher);
    checksByMatcher.set(matcher, checks);
  }
  return checks;
}

function buildKeyChecks(matcher: SequenceMatcher): KeyCheck[] {
  const first = matcher.stages.find((stage) => !stage.missing)?.source;
  if (!first) return [];
  const keyFields = [...matcher.query.by, ...first.by].map((field) => field.name);
  const checks: KeyCheck[] = [];
  for (const conjunct of conjuncts(first.filter.condition)) {
    const fields = new Set(fieldsOf(conjunct).map((field) => field.name));
    if (fields.size !== 1) continue;
    const [field] = fields as Set<string>;
    const position = keyFields.indexOf(field);
    if (position < 0) continue;
    const holds = compileEventFilter({ category: null, condition: conjunct, start: conjunct.start, end: conjunct.end }, matcher.options);
    checks.push({ position, field, holds });
  }
  return checks;
}

function conjuncts(expression: EqlExpression): EqlExpression[] {
  return expression.kind === 'and' ? expression.operands.flatMap(conjuncts) : [expression];
}

function fieldsOf(expression: EqlExpression): EqlField[] {
  return expression.kind === 'field' ? [expression] : childrenOf(expression).flatMap(fieldsOf);
}
