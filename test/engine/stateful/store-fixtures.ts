import { DynamoDbStateStore } from '../../../src/dynamodb/dynamodb-state-store';
import { MemoryStateStore, type StateStore } from '../../../src/engine/state';
import { startLocalDynamoDb, type LocalDynamoDb } from '../../support/local-dynamodb';

/**
 * The two implementations of the state port, for suites that must hold for both: a fresh store per call. The
 * DynamoDB one talks to dynalite on 127.0.0.1 (one server per suite, a new table per store); its clock is the
 * newest event time it has been told of, like the memory store's, so both expire the same state.
 */
export interface StoreFactory {
  readonly name: string;
  create(): Promise<StateStore & { observe(time: number): void }>;
}

export function memoryStores(): StoreFactory {
  return { name: 'in memory', create: async () => new MemoryStateStore() };
}

/** Starts dynalite before the suite and stops it after; `create` makes a table and a store on it. */
export function dynamoDbStores(): StoreFactory & { readonly local: () => LocalDynamoDb } {
  let local: LocalDynamoDb | undefined;
  beforeAll(async () => {
    local = await startLocalDynamoDb();
  });
  afterAll(async () => {
    await local?.stop();
  });
  return {
    name: 'DynamoDB (dynalite)',
    local: () => local as LocalDynamoDb,
    async create() {
      const dynamo = local as LocalDynamoDb;
      const tableName = await dynamo.createStateTable();
      let clock = Number.NEGATIVE_INFINITY;
      const store = new DynamoDbStateStore({ client: dynamo.client, tableName, now: () => clock });
      return Object.assign(store, {
        observe(time: number) {
          clock = Math.max(clock, time);
        },
      });
    },
  };
}
