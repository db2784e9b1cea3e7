import { describe, expect, it } from 'vitest';
import { loadRules } from '../../agent/src/rules/loader';
import { RuleSet } from '../../agent/src/rules/rule-set';
import { MAX_GROUPS } from '../../agent/src/rules/correlation-state';
import type { EcsEvent } from '../../agent/src/model/ecs-event';
import { at, makeEvent, writeRules } from './fixtures';

const SU_FAIL = `title: su failed\nid: su-fail\nname: su_fail\nlogsource: {category: process_creation}\ndetection:\n  s:\n    Image|endswith: /su\n  condition: s\n`;
const CONNECT = `title: outbound\nid: outbound\nname: outbound\nlogsource: {category: network_connection}\ndetection:\n  s:\n    Initiated: 'true'\n  condition: s\n`;
const RECON = `title: recon\nid: recon\nname: recon\nlogsource: {category: process_creation}\ndetection:\n  s:\n    Image|endswith: /id\n  condition: s\n`;

function build(files: Record<string, string>): RuleSet {
  const { rules, errors } = loadRules(writeRules(files));
  expect(errors).toEqual([]);
  return new RuleSet(rules);
}
const su = (sec: number, user = 'alice') =>
  makeEvent('exec', { '@timestamp': at(sec), user: { name: user }, process: { executable: '/usr/bin/su', entity_id: `p-${user}` } });
const conn = (sec: number, port: number, ent = 'p-1') =>
  makeEvent('connect', { '@timestamp': at(sec), process: { entity_id: ent }, destination: { ip: '10.0.0.9', port } });
const recon = (sec: number, ent = 'p-1') => makeEvent('exec', { '@timestamp': at(sec), process: { executable: '/usr/bin/id', entity_id: ent } });
const ids = (ms: { rule: { id: string } }[]) => ms.map((m) => m.rule.id);

function corr(body: string, extra = ''): string {
  return `title: corr\nid: corr\nlevel: critical\n${extra}correlation:\n${body}`;
}

describe('event_count', () => {
  const rules = { 'su.yml': SU_FAIL, 'c.yml': corr('  type: event_count\n  rules: [su_fail]\n  group-by: [User]\n  timespan: 30s\n  condition: {gte: 3}\n') };

  it('fires when the count is reached within timespan, per group, then restarts', () => {
    const set = build(rules);
    expect(set.evaluate(su(0))).toEqual([]); // base rule feeds the correlation only
    expect(set.evaluate(su(5, 'bob'))).toEqual([]);
    expect(set.evaluate(su(10))).toEqual([]);
    const evs = [su(20)];
    const m = set.evaluate(evs[0]);
    expect(ids(m)).toEqual(['corr']);
    expect(m[0].rule.level).toBe('critical');
    expect(m[0].rule.correlation).toBe('event_count');
    expect(m[0].events.map((e) => e['@timestamp'])).toEqual([at(0), at(10), at(20)]);
    expect(set.evaluate(su(21))).toEqual([]); // the group starts again after firing
  });

  it('evicts events older than timespan', () => {
    const set = build(rules);
    for (const t of [0, 10, 45, 50]) expect(set.evaluate(su(t))).toEqual([]);
    expect(ids(set.evaluate(su(60)))).toEqual(['corr']);
  });

  it('generate: true lets the base rule alert on its own; includeSuppressed shows it anyway', () => {
    const gen = build({ ...rules, 'c.yml': rules['c.yml'].replace('condition: {gte: 3}', 'condition: {gte: 3}\n  generate: true') });
    expect(ids(gen.evaluate(su(0)))).toEqual(['su-fail']);
    const set = build(rules);
    const m = set.evaluate(su(0), { includeSuppressed: true });
    expect(m).toMatchObject([{ rule: { id: 'su-fail' }, suppressed: true }]);
  });

  it('lt conditions are judged when the window closes', () => {
    const set = build({ ...rules, 'c.yml': corr('  type: event_count\n  rules: [su_fail]\n  group-by: [User]\n  timespan: 10s\n  condition: {lt: 3}\n') });
    expect(set.evaluate(su(0))).toEqual([]);
    expect(set.evaluate(su(2))).toEqual([]);
    expect(set.evaluate(su(3, 'bob'))).toEqual([]);
    for (const t of [4, 5, 6]) set.evaluate(su(t, 'bob')); // bob reaches 4 -> not < 3
    const m = set.evaluate(makeEvent('ptrace', { '@timestamp': at(30) })); // any later event moves event time on
    expect(m).toHaveLength(1);
    expect(m[0].events.map((e) => e.user.name)).toEqual(['alice', 'alice']);
  });
});

describe('value_count', () => {
  it('counts distinct values of the field per group', () => {
    const set = build({ 'o.yml': CONNECT, 'c.yml': corr('  type: value_count\n  rules: outbound\n  group-by: [ProcessGuid]\n  timespan: 1m\n  condition: {gte: 3, field: DestinationPort}\n') });
    expect(set.evaluate(conn(0, 22))).toEqual([]);
    expect(set.evaluate(conn(1, 22))).toEqual([]); // same value
    expect(set.evaluate(conn(2, 23, 'p-other'))).toEqual([]); // other group
    expect(set.evaluate(conn(3, 80))).toEqual([]);
    const m = set.evaluate(conn(4, 443));
    expect(ids(m)).toEqual(['corr']);
    expect(m[0].events.map((e) => e.destination?.port)).toEqual([22, 80, 443]);
  });

  it('forgets values older than timespan', () => {
    const set = build({ 'o.yml': CONNECT, 'c.yml': corr('  type: value_count\n  rules: outbound\n  group-by: [ProcessGuid]\n  timespan: 10s\n  condition: {gte: 3, field: DestinationPort}\n') });
    set.evaluate(conn(0, 1));
    set.evaluate(conn(5, 2));
    expect(set.evaluate(conn(20, 3))).toEqual([]);
    expect(set.evaluate(conn(21, 4))).toEqual([]);
    expect(ids(set.evaluate(conn(22, 5)))).toEqual(['corr']);
  });
});

describe('temporal', () => {
  const rules = { 'r.yml': RECON, 'o.yml': CONNECT, 'c.yml': corr('  type: temporal\n  rules: [recon, outbound]\n  group-by: [ProcessGuid]\n  timespan: 10s\n') };

  it('fires when all rules match in any order within timespan and the same group', () => {
    const set = build(rules);
    expect(set.evaluate(conn(0, 80))).toEqual([]);
    expect(set.evaluate(recon(1, 'p-2'))).toEqual([]); // other process
    const m = set.evaluate(recon(3));
    expect(ids(m)).toEqual(['corr']);
    expect(m[0].events.map((e) => e.event.action)).toEqual(['connect', 'exec']);
  });

  it('does not fire when the matches are further apart than timespan', () => {
    const set = build(rules);
    set.evaluate(recon(0));
    expect(set.evaluate(conn(11, 80))).toEqual([]);
  });
});

describe('temporal_ordered', () => {
  const rules = { 'r.yml': RECON, 'o.yml': CONNECT, 'c.yml': corr('  type: temporal_ordered\n  rules: [recon, outbound]\n  group-by: [ProcessGuid]\n  timespan: 10s\n') };

  it('requires the listed order', () => {
    const set = build(rules);
    expect(set.evaluate(conn(0, 80))).toEqual([]);
    expect(set.evaluate(recon(1))).toEqual([]); // wrong order so far
    expect(ids(set.evaluate(conn(2, 80)))).toEqual(['corr']); // recon(1) then conn(2)
  });

  it('uses the latest start that still fits the window', () => {
    const set = build(rules);
    set.evaluate(recon(0));
    set.evaluate(recon(15));
    const m = set.evaluate(conn(20, 80));
    expect(ids(m)).toEqual(['corr']);
    expect(m[0].events[0]['@timestamp']).toBe(at(15));
    const late = build(rules);
    late.evaluate(recon(0));
    expect(late.evaluate(conn(11, 80))).toEqual([]);
  });
});

describe('chains, aliases and limits', () => {
  it('a correlation can refer to another correlation', () => {
    const set = build({
      'su.yml': SU_FAIL,
      'r.yml': RECON,
      'inner.yml': `title: many su\nid: many-su\nname: many_su\ncorrelation:\n  type: event_count\n  rules: [su_fail]\n  group-by: [Hostname]\n  timespan: 1m\n  condition: {gte: 2}\n`,
      'outer.yml': `title: su then recon\nid: outer\ncorrelation:\n  type: temporal_ordered\n  rules: [many_su, recon]\n  group-by: [Hostname]\n  timespan: 5m\n`,
    });
    expect(set.evaluate(su(0))).toEqual([]);
    expect(set.evaluate(su(1))).toEqual([]); // inner fires but only feeds outer
    const m = set.evaluate(recon(30));
    expect(ids(m)).toEqual(['outer']);
    expect(m[0].events).toHaveLength(3);
  });

  it('aliases map group-by names to per-rule fields', () => {
    const listen = `title: listen\nid: lis\nname: lis\nlogsource: {category: vigil_network_listen}\ndetection:\n  s:\n    Action: listen\n  condition: s\n`;
    const set = build({
      'l.yml': listen,
      'o.yml': CONNECT,
      'c.yml': corr('  type: temporal\n  rules: [lis, outbound]\n  group-by: [port]\n  timespan: 1m\n  aliases:\n    port:\n      lis: SourcePort\n      outbound: DestinationPort\n'),
    });
    set.evaluate(makeEvent('listen', { '@timestamp': at(0), source: { ip: '0.0.0.0', port: 9001 } }));
    expect(set.evaluate(conn(1, 9002))).toEqual([]);
    expect(ids(set.evaluate(conn(2, 9001)))).toEqual(['corr']);
  });

  it('stale groups are evicted as event time advances and groups are capped', () => {
    const set = build({ 'o.yml': CONNECT, 'c.yml': corr('  type: event_count\n  rules: outbound\n  group-by: [ProcessGuid]\n  timespan: 10s\n  condition: {gte: 100}\n') });
    for (let i = 0; i < 50; i++) set.evaluate(conn(0, 1, `p-${i}`));
    expect(set.correlations[0].groupCount).toBe(50);
    set.evaluate(conn(30, 1, 'p-new'));
    expect(set.correlations[0].groupCount).toBe(1);
    const big = build({ 'o.yml': CONNECT, 'c.yml': corr('  type: event_count\n  rules: outbound\n  group-by: [ProcessGuid]\n  timespan: 1h\n  condition: {gte: 100}\n') });
    for (let i = 0; i < MAX_GROUPS + 10; i++) big.evaluate(conn(0, 1, `p-${i}`));
    expect(big.correlations[0].groupCount).toBe(MAX_GROUPS);
  });

  it('reports bad correlations with file and line', () => {
    const dir = writeRules({
      'su.yml': SU_FAIL,
      'missing.yml': corr('  type: event_count\n  rules: [nope]\n  timespan: 1m\n  condition: {gte: 2}\n'),
      'span.yml': corr('  type: event_count\n  rules: [su_fail]\n  timespan: 1 week\n  condition: {gte: 2}\n').replace(/corr\n/g, 'span\n'),
      'field.yml': corr('  type: value_count\n  rules: [su_fail]\n  timespan: 1m\n  condition: {gte: 2}\n').replace(/corr\n/g, 'field\n'),
      'type.yml': corr('  type: sum\n  rules: [su_fail]\n  timespan: 1m\n').replace(/corr\n/g, 'type\n'),
      'cycle.yml': `title: a\nid: ca\ncorrelation:\n  type: temporal\n  rules: [cb, su_fail]\n  timespan: 1m\n---\ntitle: b\nid: cb\ncorrelation:\n  type: temporal\n  rules: [ca, su_fail]\n  timespan: 1m\n`,
    });
    const { rules, errors } = loadRules(dir);
    expect(rules.map((r) => r.meta.id)).toEqual(['su-fail']);
    const by = Object.fromEntries(errors.map((e) => [`${e.file.slice(dir.length + 1)}:${e.line}`, e.reason]));
    expect(by).toMatchObject({
      'missing.yml:1': "correlation refers to unknown or broken rule 'nope'",
      'span.yml:7': expect.stringMatching(/timespan/),
      'field.yml:8': "a value_count condition needs 'field'",
      'type.yml:5': expect.stringMatching(/unknown correlation type 'sum'/),
      'cycle.yml:1': expect.stringMatching(/cycle/),
      'cycle.yml:8': expect.stringMatching(/cycle/),
    });
  });
});

describe('evaluation', () => {
  it('only checks rules that can see the event action', () => {
    const set = build({ 'su.yml': SU_FAIL, 'o.yml': CONNECT });
    expect(set.rulesFor('exec').map((r) => r.meta.id)).toEqual(['su-fail']);
    expect(set.rulesFor('connect').map((r) => r.meta.id)).toEqual(['outbound']);
    expect(set.rulesFor('ptrace')).toEqual([]);
    expect(set.evaluate({ nonsense: true } as unknown as EcsEvent)).toEqual([]);
  });
});
