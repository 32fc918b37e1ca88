/** Pieces of an ARN (`arn:partition:service:region:account:resource`) the entity classification needs. */
export interface ParsedArn {
  service: string;
  /** Resource type: the resource part up to its first `/` or `:` (`user`, `role`, `instance`, …). */
  resourceType: string;
  /** The resource part after the type, e.g. `i-0123…` for `instance/i-0123…`. */
  resourceId: string;
}

export function parseArn(value: string): ParsedArn | undefined {
  if (!value.startsWith('arn:')) return undefined;
  const parts = value.split(':');
  if (parts.length < 6) return undefined;
  const resource = parts.slice(5).join(':');
  const typeEnd = resource.search(/[/:]/);
  return {
    service: parts[2],
    resourceType: typeEnd < 0 ? resource : resource.slice(0, typeEnd),
    resourceId: typeEnd < 0 ? '' : resource.slice(typeEnd + 1),
  };
}

export function isServiceLinkedRoleArn(value: string): boolean {
  return value.includes(':role/aws-service-role/');
}
