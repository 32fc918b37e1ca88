import type { EqlExpression } from './ast';

/** A short description of a term for messages (pattern notes, untranslatable terms): the field and the operator, or the function. */
export function describeTerm(expression: EqlExpression): string {
  const subject = (value: EqlExpression) => (value.kind === 'field' ? value.name : 'a computed value');
  switch (expression.kind) {
    case 'pattern':
      return `${subject(expression.value)} ${expression.operator}${expression.caseInsensitive && expression.operator !== ':' ? '~' : ''}`;
    case 'in':
      return `${subject(expression.value)} ${expression.negated ? 'not ' : ''}in${expression.caseInsensitive ? '~' : ''}`;
    case 'compare':
      return `${subject(expression.left)} ${expression.operator}`;
    case 'function':
      return `${expression.name}${expression.caseInsensitive ? '~' : ''}(${subject(expression.args[0])}, …)`;
    default:
      return 'a computed condition';
  }
}
