import { parseAlertEmails } from '../../lib/alert-emails';

describe('parseAlertEmails', () => {
  it('reads a comma-separated list, trimming blanks and duplicates', () => {
    expect(parseAlertEmails('a@example.com, b@example.com,,a@example.com ')).toEqual(['a@example.com', 'b@example.com']);
  });

  it('accepts a list (from cdk.json) and nothing at all', () => {
    expect(parseAlertEmails(['soc@example.org'])).toEqual(['soc@example.org']);
    expect(parseAlertEmails(undefined)).toEqual([]);
    expect(parseAlertEmails('')).toEqual([]);
  });

  it.each(['plainaddress', 'a@b', '@example.com', 'a b@example.com', 'a@exa_mple.com', 'a@-example.com', 'a@@example.com'])(
    'rejects %s, naming it',
    (address) => {
      expect(() => parseAlertEmails(`ok@example.com,${address}`)).toThrow(JSON.stringify(address));
    },
  );

  it('names every invalid address at once', () => {
    expect(() => parseAlertEmails('x,y@z')).toThrow('alertEmails: "x", "y@z" are not e-mail addresses');
  });

  it('rejects a value that is neither text nor a list', () => {
    expect(() => parseAlertEmails(42)).toThrow(/comma-separated/);
  });
});
