/** An ECS document as nested JSON objects (`{ event: { action: ... } }`), the shape Elastic indexes. */
export type EcsDocument = { [field: string]: unknown };
