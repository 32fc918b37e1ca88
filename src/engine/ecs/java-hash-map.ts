/**
 * Iteration order of java.util.HashMap<String, ?>, which decides the key order of the keyword strings
 * Elastic's pipeline renders with `Map.toString()` and the order of `aws.cloudtrail.resources`.
 */

const INITIAL_CAPACITY = 16;
const LOAD_FACTOR = 0.75;
/** A bucket chain reaching this length asks for treeification, which only resizes below MIN_TREEIFY_CAPACITY. */
const TREEIFY_CHAIN_LENGTH = 9;
const MIN_TREEIFY_CAPACITY = 64;

export function javaStringHashCode(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index++) {
    hash = (Math.imul(31, hash) + text.charCodeAt(index)) | 0;
  }
  return hash;
}

/** HashMap.hash(): folds the high bits into the low ones before masking. */
function spreadHash(key: string): number {
  const hash = javaStringHashCode(key);
  return hash ^ (hash >>> 16);
}

/**
 * Table capacity after inserting `keys` (distinct, in insertion order) into a default `new HashMap()`.
 * Besides load-factor growth, a chain of 9 in a table smaller than 64 forces a resize too.
 */
function finalCapacity(hashes: readonly number[]): number {
  let capacity = INITIAL_CAPACITY;
  let chainLengths = new Map<number, number>();
  const rebuildChains = (insertedCount: number): void => {
    chainLengths = new Map();
    for (let index = 0; index < insertedCount; index++) {
      const bucket = hashes[index] & (capacity - 1);
      chainLengths.set(bucket, (chainLengths.get(bucket) ?? 0) + 1);
    }
  };
  for (let size = 1; size <= hashes.length; size++) {
    const bucket = hashes[size - 1] & (capacity - 1);
    const chainLength = (chainLengths.get(bucket) ?? 0) + 1;
    chainLengths.set(bucket, chainLength);
    let resized = false;
    if (chainLength >= TREEIFY_CHAIN_LENGTH && capacity < MIN_TREEIFY_CAPACITY) {
      capacity *= 2;
      resized = true;
    }
    if (size > capacity * LOAD_FACTOR) {
      capacity *= 2;
      resized = true;
    }
    if (resized) rebuildChains(size);
  }
  return capacity;
}

/**
 * Orders `presentKeys` the way a HashMap iterates them, given every key ever inserted
 * (`insertedKeys`, a superset in insertion order) — removals never shrink a HashMap's table.
 * Resizes split chains without reordering, so the result is: by bucket index, then by insertion order.
 * Known limit: chains treeified in tables of 64+ (9+ colliding keys) iterate in tree-insertion order, not modelled.
 */
export function javaHashMapOrder(presentKeys: readonly string[], insertedKeys: readonly string[] = presentKeys): string[] {
  if (presentKeys.length <= 1) return presentKeys.slice();
  const capacity = finalCapacity(insertedKeys.map(spreadHash));
  const mask = capacity - 1;
  const insertionRank = new Map<string, number>();
  insertedKeys.forEach((key, rank) => insertionRank.set(key, rank));
  return presentKeys
    .map((key) => ({ key, bucket: spreadHash(key) & mask, rank: insertionRank.get(key) ?? Number.MAX_SAFE_INTEGER }))
    .sort((left, right) => left.bucket - right.bucket || left.rank - right.rank)
    .map((entry) => entry.key);
}
