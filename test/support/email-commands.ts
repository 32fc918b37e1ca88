import { EMAIL_WIDTH, RESPONSE_HEADER } from '../../src/engine/alerts';

/**
 * The commands of an alert e-mail's "If this was not expected, now:" part as a shell would read them: each starts
 * with `aws ` on an indented line and goes on while a line ends in ` \` (joined with one space) or a single quote is
 * open (the line break kept out, as JSON whitespace).
 */
export function commandsIn(email: string): string[] {
  const commands: string[] = [];
  const all = email.split('\n');
  const start = all.indexOf(RESPONSE_HEADER);
  if (start < 0) return [];
  // The part ends where the details start: the first title in capitals.
  const end = all.findIndex((line, index) => index > start && /^[A-Z][A-Z ]+$/.test(line));
  const lines = all.slice(start, end < 0 ? undefined : end);
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s+aws /.test(lines[i])) continue;
    let command = lines[i].trim();
    while (command.endsWith(' \\') || (command.split("'").length - 1) % 2 === 1) {
      const next = lines[++i].trim();
      command = command.endsWith(' \\') ? `${command.slice(0, -2)} ${next}` : `${command}${next}`;
    }
    commands.push(command);
  }
  return commands;
}

/** Lines longer than the e-mail width, except those that are only a URL. */
export function overlongLines(email: string): string[] {
  return email.split('\n').filter((line) => line.length > EMAIL_WIDTH && !/^\s*https?:\/\/\S+$/.test(line));
}

/** The policy document the IAM console's "Revoke active sessions" attaches, as the e-mail writes it. */
export function REVOKE_BEFORE(time: string): string {
  return `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"${time}"}}}]}`;
}
