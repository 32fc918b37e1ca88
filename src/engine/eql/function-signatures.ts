import type { EqlFunctionName } from './ast';

/** What the parser checks about a function call before anything runs (as Elasticsearch's verifier does). */
export interface FunctionSignature {
  readonly name: EqlFunctionName;
  readonly minArgs: number;
  /** Infinity for variadic functions. */
  readonly maxArgs: number;
  /** Has a `~` (case-insensitive) form. */
  readonly caseInsensitiveForm: boolean;
  /** Argument positions (0-based, `from` onwards) that must be constants. */
  readonly constantArgsFrom?: number;
}

const SIGNATURES: readonly FunctionSignature[] = [
  { name: 'add', minArgs: 2, maxArgs: 2, caseInsensitiveForm: false },
  { name: 'between', minArgs: 3, maxArgs: 4, caseInsensitiveForm: true },
  { name: 'cidrMatch', minArgs: 2, maxArgs: Infinity, caseInsensitiveForm: false, constantArgsFrom: 1 },
  { name: 'concat', minArgs: 1, maxArgs: Infinity, caseInsensitiveForm: false },
  { name: 'divide', minArgs: 2, maxArgs: 2, caseInsensitiveForm: false },
  { name: 'endsWith', minArgs: 2, maxArgs: 2, caseInsensitiveForm: true },
  { name: 'indexOf', minArgs: 2, maxArgs: 3, caseInsensitiveForm: true },
  { name: 'length', minArgs: 1, maxArgs: 1, caseInsensitiveForm: false },
  { name: 'modulo', minArgs: 2, maxArgs: 2, caseInsensitiveForm: false },
  { name: 'multiply', minArgs: 2, maxArgs: 2, caseInsensitiveForm: false },
  { name: 'number', minArgs: 1, maxArgs: 2, caseInsensitiveForm: false },
  { name: 'startsWith', minArgs: 2, maxArgs: 2, caseInsensitiveForm: true },
  { name: 'string', minArgs: 1, maxArgs: 1, caseInsensitiveForm: false },
  { name: 'stringContains', minArgs: 2, maxArgs: 2, caseInsensitiveForm: true },
  { name: 'substring', minArgs: 2, maxArgs: 3, caseInsensitiveForm: false },
  { name: 'subtract', minArgs: 2, maxArgs: 2, caseInsensitiveForm: false },
];

/** Function names are matched in any letter case, as Elasticsearch's function registry does (`CONCAT`). */
const BY_LOWER_NAME = new Map(SIGNATURES.map((signature) => [signature.name.toLowerCase(), signature]));

export function functionSignature(name: string): FunctionSignature | undefined {
  return BY_LOWER_NAME.get(name.toLowerCase());
}

export const FUNCTION_NAMES: readonly string[] = SIGNATURES.map((signature) => signature.name);
