import type { AlertNarrator, AlertStory, AlertSubject } from '../alert-story';

/** The rule that fired: its MITRE ATT&CK mapping and id in the details, its investigation guide and false positives last. */
export const ruleNarrator: AlertNarrator = {
  name: 'rule',
  narrate(story: AlertStory, { rule }: AlertSubject): void {
    const section = story.section('rule', 'Rule');
    section.add('Severity', `${rule.severity} (risk score ${rule.riskScore})`);
    for (const mapping of rule.threat) {
      section.add('MITRE tactic', `${mapping.tactic.id} ${mapping.tactic.name}`);
      for (const technique of mapping.technique) {
        section.add('Technique', `${technique.id} ${technique.name}`);
        for (const sub of technique.subtechnique) section.add('Sub-technique', `${sub.id} ${sub.name}`);
      }
    }
    section.add('Rule id', rule.ruleId);
    story.guide = rule.note;
    story.falsePositives.push(...rule.falsePositives.map((text) => text.trim().replace(/\s+/g, ' ')));
  },
};
