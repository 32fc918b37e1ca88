import {
  ConditionalCheckFailedException,
  GetItemCommand,
  UpdateItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { encodeState, expiresAtSeconds, type JsonValue, type StateStore, type StoredState, type WriteCondition, type WriteResult } from '../engine/state/state-store';
import { STATE_TABLE_KEY, STATE_TTL_ATTRIBUTE } from './state-table-layout';

export interface DynamoDbStateStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The clock expiry is judged by (epoch ms); the wall clock by default. */
  readonly now?: () => number;
}

/**
 * The state port on DynamoDB: strongly consistent reads, and writes conditioned on the version read (or on there
 * being no live item), so concurrent Lambda containers agree. TTL deletes expired items within days; until then
 * they are treated as absent here, so answers never depend on when the deletion runs.
 */
export class DynamoDbStateStore implements StateStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly now: () => number;

  constructor(options: DynamoDbStateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<StoredState | undefined> {
    const { Item: item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: { [STATE_TABLE_KEY]: { S: key } }, ConsistentRead: true }),
    );
    if (item === undefined) return undefined;
    const expiresAt = Number(item[STATE_TTL_ATTRIBUTE]?.N);
    if (Number.isFinite(expiresAt) && expiresAt * 1000 <= this.now()) return undefined;
    const text = item.state?.S;
    const version = Number(item.version?.N);
    if (text === undefined || !Number.isSafeInteger(version)) {
      throw new Error(`state table ${this.tableName}: item ${key} has no state text or version; delete it to start this key afresh`);
    }
    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch (error) {
      throw new Error(`state table ${this.tableName}: item ${key} holds text that is not JSON (${(error as Error).message}); delete it to start this key afresh`);
    }
    return { value, version };
  }

  async put(key: string, value: JsonValue, condition: WriteCondition, expiresAt: number): Promise<WriteResult> {
    const text = encodeState(key, value);
    const nowSeconds = Math.floor(this.now() / 1000);
    const names: Record<string, string> = { '#state': 'state', '#version': 'version', '#expires': STATE_TTL_ATTRIBUTE };
    const values: Record<string, { S: string } | { N: string }> = {
      ':state': { S: text },
      ':expires': { N: String(expiresAtSeconds(expiresAt)) },
      ':zero': { N: '0' },
      ':one': { N: '1' },
      ':now': { N: String(nowSeconds) },
    };
    let conditionExpression: string;
    if ('mustNotExist' in condition) {
      // An expired item that TTL has not deleted yet is absent too; its version keeps counting (see below).
      conditionExpression = 'attribute_not_exists(#pk) OR #expires <= :now';
      names['#pk'] = STATE_TABLE_KEY;
    } else {
      conditionExpression = '#version = :expected AND #expires > :now';
      values[':expected'] = { N: String(condition.expectedVersion) };
    }
    try {
      const output = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [STATE_TABLE_KEY]: { S: key } },
          // The version goes on from what the item held, even over an expired item, so a writer that read the old
          // item can never match the new one.
          UpdateExpression: 'SET #state = :state, #expires = :expires, #version = if_not_exists(#version, :zero) + :one',
          ConditionExpression: conditionExpression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { written: true, version: Number(output.Attributes?.version?.N) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as Error).name === 'ConditionalCheckFailedException') return { written: false };
      throw error;
    }
  }
}

