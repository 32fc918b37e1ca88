import { EcsDocument } from './ecs-document';
import { isJsonObject, JsonObject } from './json-values';
import { isEmptyOutputValue } from './null-removal';

const splitPathCache = new Map<string, string[]>();

function splitPath(dottedPath: string): string[] {
  let segments = splitPathCache.get(dottedPath);
  if (segments === undefined) {
    segments = dottedPath.split('.');
    splitPathCache.set(dottedPath, segments);
  }
  return segments;
}

/**
 * Writes nested ECS fields by dotted path. Values the pipeline's final null-removal pass would drop
 * (null, "", empty lists and maps) are never written, so the document needs no second pass.
 */
export class DocumentBuilder {
  readonly document: EcsDocument = {};

  set(dottedPath: string, value: unknown): void {
    if (isEmptyOutputValue(value)) return;
    const segments = splitPath(dottedPath);
    let parent: JsonObject = this.document;
    for (let index = 0; index < segments.length - 1; index++) {
      const child = parent[segments[index]];
      if (isJsonObject(child)) {
        parent = child;
      } else {
        const created: JsonObject = {};
        parent[segments[index]] = created;
        parent = created;
      }
    }
    parent[segments[segments.length - 1]] = value;
  }

  get(dottedPath: string): unknown {
    let current: unknown = this.document;
    for (const segment of splitPath(dottedPath)) {
      if (!isJsonObject(current)) return undefined;
      current = current[segment];
    }
    return current;
  }

  has(dottedPath: string): boolean {
    return this.get(dottedPath) !== undefined;
  }
}
