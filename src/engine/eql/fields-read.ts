import type { EqlEventFilter, EqlExpression } from './ast';
import { DEFAULT_EVENT_CATEGORY_FIELD, type EqlCompileOptions } from './compile-condition';

/**
 * The document fields EQL event filters can read, as dotted paths: every field the conditions name (functions and
 * arithmetic included) and, for a `category where …` filter, the event category field. The filters' answers depend
 * on nothing else.
 */
export function eqlFieldsRead(filters: readonly EqlEventFilter[], options: EqlCompileOptions = {}): readonly string[] {
  const fields = new Set<string>();
  const visit = (expression: EqlExpression): void => {
    switch (expression.kind) {
      case 'literal':
        return;
      case 'field':
        fields.add(expression.name);
        return;
      case 'and':
      case 'or':
        expression.operands.forEach(visit);
        return;
      case 'not':
      case 'negate':
        visit(expression.operand);
        return;
      case 'compare':
      case 'arithmetic':
        visit(expression.left);
        visit(expression.right);
        return;
      case 'pattern':
        visit(expression.value);
        return;
      case 'in':
        visit(expression.value);
        expression.list.forEach(visit);
        return;
      case 'function':
        expression.args.forEach(visit);
        return;
    }
  };
  for (const filter of filters) {
    if (filter.category !== null) fields.add(options.eventCategoryField ?? DEFAULT_EVENT_CATEGORY_FIELD);
    visit(filter.condition);
  }
  return [...fields];
}
