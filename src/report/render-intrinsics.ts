/**
 * Renders CloudFormation values (intrinsic functions included) as readable one-line strings for the audit report.
 * Notation, as in `Fn::Sub`: `{Ref: X}` → `${X}`, `{Fn::GetAtt: [X, Arn]}` → `${X.Arn}`; `Fn::Join` concatenates its
 * rendered parts; other functions read as calls (`Fn::Select(0, …)`). Pseudo parameters keep their names
 * (`${AWS::Region}`). Pure: no template lookups.
 */
export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(renderValue).join(', ');
  if (typeof value === 'object') {
    const intrinsic = renderIntrinsic(value as Record<string, unknown>);
    if (intrinsic !== undefined) return intrinsic;
    const entries = Object.entries(value as Record<string, unknown>);
    return `{ ${entries.map(([key, item]) => `${key}: ${Array.isArray(item) ? `[${renderValue(item)}]` : renderValue(item)}`).join('; ')} }`;
  }
  return String(value);
}

/** A value that may be a single item or a list (IAM `Action`, `Resource`, condition values), as a list of strings. */
export function renderList(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(renderValue);
}

/** The intrinsic function a value is, or `undefined` for plain values and objects with more than one key. */
export function intrinsicName(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  return keys[0] === 'Ref' || keys[0].startsWith('Fn::') || keys[0] === 'Condition' ? keys[0] : undefined;
}

/** Logical ids a value refers to (`Ref`, `Fn::GetAtt`, `${X}` in `Fn::Sub`), pseudo parameters excluded. */
export function referencedLogicalIds(value: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const name = intrinsicName(record);
    if (name === 'Ref' && typeof record.Ref === 'string' && !record.Ref.startsWith('AWS::')) found.add(record.Ref);
    if (name === 'Fn::GetAtt') {
      const target = Array.isArray(record['Fn::GetAtt']) ? record['Fn::GetAtt'][0] : String(record['Fn::GetAtt']).split('.')[0];
      if (typeof target === 'string') found.add(target);
    }
    if (name === 'Fn::Sub') {
      const template = Array.isArray(record['Fn::Sub']) ? record['Fn::Sub'][0] : record['Fn::Sub'];
      if (typeof template === 'string') {
        for (const match of template.matchAll(/\$\{([^!}][^}.]*)(?:\.[^}]*)?\}/g)) if (!match[1].startsWith('AWS::')) found.add(match[1]);
      }
    }
    Object.values(record).forEach(visit);
  };
  visit(value);
  return [...found];
}

function renderIntrinsic(value: Record<string, unknown>): string | undefined {
  const name = intrinsicName(value);
  if (name === undefined) return undefined;
  const argument = value[name];
  switch (name) {
    case 'Ref':
      return `\${${renderValue(argument)}}`;
    case 'Fn::GetAtt': {
      const [resource, attribute] = Array.isArray(argument) ? argument : String(argument).split(/\.(.*)/s);
      return `\${${renderValue(resource)}.${renderValue(attribute)}}`;
    }
    case 'Fn::Join': {
      if (!Array.isArray(argument) || argument.length !== 2 || !Array.isArray(argument[1])) break;
      const delimiter = renderValue(argument[0]);
      return argument[1].map(renderValue).join(delimiter);
    }
    case 'Fn::Sub': {
      if (typeof argument === 'string') return argument;
      if (!Array.isArray(argument) || typeof argument[0] !== 'string') break;
      const variables = (argument[1] ?? {}) as Record<string, unknown>;
      return argument[0].replace(/\$\{([^!}][^}]*)\}/g, (whole, variable: string) => (variable in variables ? renderValue(variables[variable]) : whole));
    }
    case 'Condition':
      return `Condition(${renderValue(argument)})`;
    default:
      break;
  }
  const args = Array.isArray(argument) ? argument.map((item) => (Array.isArray(item) ? `[${renderValue(item)}]` : renderValue(item))) : [renderValue(argument)];
  return `${name}(${args.join(', ')})`;
}
