/**
 * Item layout of the state table (docs/stateful-rules.md), shared by the store that reads and writes items and by
 * the CDK construct that creates the table; kept apart from the store so that synthesizing a stack never loads the
 * DynamoDB client.
 * - `pk` (S, partition key): the state key, e.g. `new_terms#<rule id>#<hash>`;
 * - `state` (S): the state as JSON text;
 * - `version` (N): raised by one on every write, the compare-and-set token;
 * - `expiresAt` (N): epoch seconds, the table's TTL attribute.
 */
export const STATE_TABLE_KEY = 'pk';
export const STATE_TTL_ATTRIBUTE = 'expiresAt';
