import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { alertExample, alertExampleMarkdown, alertJsonMarkdown } from '../../scripts/alert-example';
import { EMAIL_WIDTH } from '../../src/engine/alerts';
import { matchesEventPattern } from '../support/eventbridge-matcher';

/**
 * The documentation a newcomer reads first: a README short enough to read, with a table of contents and the topics
 * they look for; every other document reachable from docs/README.md; no dead relative link; and the alert shown
 * exactly as the code makes it, so the pages cannot drift from what an on-call engineer receives.
 */
const ROOT = join(__dirname, '..', '..');
const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const DOCS = join(ROOT, 'docs');
const docFiles = readdirSync(DOCS).filter((name) => name.endsWith('.md'));

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens. */
function anchor(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
}

/** Relative link targets of a Markdown file (no scheme, no pure anchors), outside code blocks. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]).filter((target) => !/^[a-z]+:/i.test(target) && !target.startsWith('#'));
}

/** The text between `<!-- name:start -->` and `<!-- name:end -->`. */
function between(markdown: string, name: string): string {
  const start = markdown.indexOf(`<!-- ${name}:start -->`);
  const end = markdown.indexOf(`<!-- ${name}:end -->`);
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  return markdown.slice(start + `<!-- ${name}:start -->`.length, end).trim();
}

/** The `json` code blocks that hold a subscription filter policy. */
function filterPolicies(markdown: string): unknown[] {
  return [...markdown.matchAll(/```json\n(\{"\$or"[^\n]*)\n```/g)].map((match) => JSON.parse(match[1]));
}

describe('README', () => {
  const headings = [...README.matchAll(/^## (.+)$/gm)].map((match) => match[1]);

  it('is short enough to read: about 15 KB at most', () => {
    expect(Buffer.byteLength(README, 'utf8')).toBeLessThanOrEqual(15.5 * 1024);
  });

  it('covers what, who, the two commands, deploy, configure, the alert, scan, rules and tests', () => {
    expect(headings).toEqual(
      expect.arrayContaining(['What it does', 'Who it is for', 'Two commands', 'Deploy', 'Configure', 'The alert', 'Scan CloudTrail files', 'Rules', 'Tests']),
    );
    expect(README).toContain('npm ci && npm start');
    expect(README).toMatch(/^npm test /m);
  });

  it('opens with a table of contents linking every section', () => {
    const toc = [...README.slice(0, README.indexOf('\n## ')).matchAll(/^- \[(.+)\]\(#(.+)\)$/gm)].map((match) => ({ title: match[1], target: match[2] }));
    expect(toc.map((entry) => entry.title)).toEqual(headings);
    for (const entry of toc) expect(entry.target).toBe(anchor(entry.title));
  });

  it('shows the first screen of the sample alert’s e-mail as the code writes it, and links to the rest and the JSON', () => {
    const example = alertExample();
    expect(README).toContain(`Subject: \`${example.subject}\``);
    const block = /```text\n([\s\S]*?)\n…\n```/.exec(README)?.[1];
    expect(block).toBeDefined();
    expect(example.email.startsWith(`${block}\n`)).toBe(true);
    expect(block).toContain('If this was not expected, now:');
    expect(README).toContain('[docs/alert.md](docs/alert.md)');
  });
});

describe('docs/', () => {
  it('has an index that links every document', () => {
    const index = readFileSync(join(DOCS, 'README.md'), 'utf8');
    const linked = new Set(relativeLinks(index).map((target) => target.split('#')[0]));
    expect(docFiles.filter((name) => name !== 'README.md' && !linked.has(name))).toEqual([]);
    expect(relativeLinks(README)).toContain('docs/README.md');
  });

  it('has no dead relative link in the README or any document', () => {
    const dead: string[] = [];
    for (const file of [join(ROOT, 'README.md'), ...docFiles.map((name) => join(DOCS, name))]) {
      for (const target of relativeLinks(readFileSync(file, 'utf8'))) {
        if (!existsSync(resolve(dirname(file), decodeURIComponent(target.split('#')[0])))) dead.push(`${file.slice(ROOT.length + 1)} → ${target}`);
      }
    }
    expect(dead).toEqual([]);
  });

  it('has no placeholder left where a figure or a section belongs (BENCHMARK_PLACEHOLDER, TODO, TBD)', () => {
    const left: string[] = [];
    for (const file of [join(ROOT, 'README.md'), ...docFiles.map((name) => join(DOCS, name))]) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, n) => {
          if (/\b[A-Z][A-Z0-9]*_PLACEHOLDER\b|\bPLACEHOLDER\b|\bTODO\b|\bTBD\b/.test(line)) left.push(`${file.slice(ROOT.length + 1)}:${n + 1}: ${line.trim()}`);
        });
    }
    expect(left).toEqual([]);
  });

  it('shows the sample alert (subject, attributes, e-mail and JSON) exactly as the code makes it', () => {
    const page = readFileSync(join(DOCS, 'alert.md'), 'utf8');
    const example = alertExample();
    expect(between(page, 'alert-example')).toBe(alertExampleMarkdown(example));
    expect(between(page, 'alert-json')).toBe(alertJsonMarkdown(example));
    // The e-mail is laid out for a phone: nothing but URLs past the width.
    expect(example.email.split('\n').filter((line) => line.length > EMAIL_WIDTH && !/^\s*https:\/\/\S+$/.test(line))).toEqual([]);
  });
});

describe('the subscription filter examples', () => {
  const attributes = alertExample().attributes;

  it('let the shipped (low severity) rule’s alerts through, which a severity filter alone would drop', () => {
    const policies = [...filterPolicies(README), ...filterPolicies(readFileSync(join(DOCS, 'alert.md'), 'utf8'))];
    expect(policies.length).toBeGreaterThanOrEqual(2);
    for (const policy of policies) expect(matchesEventPattern(policy, attributes)).toBe(true);
    expect(matchesEventPattern({ severity: ['high', 'critical'] }, attributes)).toBe(false);
    expect(matchesEventPattern(policies[0], { ...attributes, rule_id: 'another-rule', severity: 'medium' })).toBe(false);
    expect(matchesEventPattern(policies[0], { ...attributes, rule_id: 'another-rule', severity: 'critical' })).toBe(true);
  });
});
