import { javaHashMapOrder } from './java-hash-map';
import { toJavaString } from './java-map-string';
import { isJsonObject, JsonObject } from './json-values';

function keyPart(value: unknown): string {
  return value === undefined ? 'null' : toJavaString(value);
}

/**
 * `resources[]` with `ARN`→`arn` and `accountId`→`account_id`, deduplicated on `arn_account_id_type`.
 * The pipeline collects them in a Java HashMap keyed by that string, so the output follows its
 * iteration order, not the input order. A non-list value passes through unchanged.
 */
export function mapResources(resources: unknown): unknown {
  if (!Array.isArray(resources)) return resources;
  const byKey = new Map<string, unknown>();
  for (const resource of resources) {
    let renamed: unknown = resource;
    let dedupKey: string;
    if (isJsonObject(resource)) {
      const { ARN: arn, accountId, ...rest } = resource;
      const output: JsonObject = { ...rest };
      if (arn !== undefined) output.arn = arn;
      if (accountId !== undefined) output.account_id = accountId;
      renamed = output;
      dedupKey = `${keyPart(arn)}_${keyPart(accountId)}_${keyPart(resource.type)}`;
    } else {
      dedupKey = toJavaString(resource);
    }
    // HashMap.put keeps the first insertion position of a key but stores the latest value.
    byKey.set(dedupKey, renamed);
  }
  return javaHashMapOrder([...byKey.keys()]).map((key) => byKey.get(key));
}

/** `resources[].ARN` values, in input order, for entity and host extraction. */
export function resourceArns(resources: unknown): string[] {
  if (!Array.isArray(resources)) return [];
  const arns: string[] = [];
  for (const resource of resources) {
    const arn = isJsonObject(resource) ? resource.ARN : undefined;
    if (typeof arn === 'string') arns.push(arn);
  }
  return arns;
}
