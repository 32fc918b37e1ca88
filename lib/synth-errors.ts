import { ExceptionConfigError, ExceptionFileError } from '../src/engine/exceptions';
import { RuleFileError } from '../src/engine/rules';
import { EnrichmentFileError } from '../src/enrichment/file-enrichment';
import { CONTEXT_HINTS } from './detector-context';
import { DetectorConfigError } from './detector-config-error';

/**
 * The one short message for a configuration mistake (what, where, how to fix it), or undefined for anything else:
 * a bug, which keeps its stack trace. CDK's own validation failures (a construct's `addValidation`, cdk-nag
 * findings, whose report CDK has already printed) are the user's to fix too.
 */
export function describeConfigurationError(error: unknown): string | undefined {
  if (error instanceof DetectorConfigError) {
    return `${error.setting}: ${error.problem}. ${error.fix ?? CONTEXT_HINTS[error.setting] ?? ''}`.trim();
  }
  if (error instanceof RuleFileError) return `${error.message}\nFix the rule file, or point -c rulesDir at another folder of *.toml rules`;
  if (error instanceof EnrichmentFileError) return `${error.message}\nFix the path, or leave it out to use the shipped databases (docs/enrichment.md)`;
  if (error instanceof ExceptionFileError || error instanceof ExceptionConfigError) {
    return `${error.message}\nFix the export or the mapping (docs/exceptions.md), or point -c exceptionsDir elsewhere`;
  }
  if (error instanceof Error && /^Validation/.test(error.name)) {
    // `Validation failed with the following errors:\n  [Stack/Construct] message`: the messages are what matters.
    const messages = error.message.split('\n').slice(1).map((line) => line.trim().replace(/^\[[^\]]*\]\s*/, ''));
    return messages.length > 0 ? messages.join('\n') : error.message;
  }
  return undefined;
}
