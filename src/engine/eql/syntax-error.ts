/**
 * The error for an EQL query that does not parse or that Elasticsearch would reject before running it (unknown
 * function, wrong number of arguments, a comparison between two fields...). It names the 1-based line and column
 * of the offending text, like the KQL parser's errors, in a message written for someone fixing a rule by hand.
 */
import { locateOffset } from '../input/text-location';

export class EqlSyntaxError extends Error {
  /** 1-based line of the offending text. */
  readonly line: number;
  /** 1-based column (in UTF-16 code units). */
  readonly column: number;
  /** 0-based offset in the query. */
  readonly offset: number;
  readonly query: string;
  /** The explanation without the position prefix. */
  readonly problem: string;

  constructor(query: string, offset: number, problem: string) {
    const { line, column } = locateOffset(query, offset);
    super(`line ${line}, column ${column}: ${problem}`);
    this.name = 'EqlSyntaxError';
    this.line = line;
    this.column = column;
    this.offset = offset;
    this.query = query;
    this.problem = problem;
  }
}
