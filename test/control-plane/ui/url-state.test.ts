// The dashboard's URL state and tree order, as pure functions: a hash
// names a view and its parameters, and building one back gives the same
// hash (so a link reproduces the view).
import { describe, expect, it } from 'vitest';
// @ts-expect-error plain-JS dashboard module
import { hrefFor, parseHash } from '../../../control-plane/ui/router.js';
// @ts-expect-error plain-JS dashboard module
import { treeOrder } from '../../../control-plane/ui/investigation.js';

describe('router', () => {
  it('parses a view and its parameters, defaulting to incidents', () => {
    const { view, params } = parseHash('#/incidents?severity=critical,high&host=abc&since=15m&incident=7');
    expect(view).toBe('incidents');
    expect(Object.fromEntries(params)).toEqual({ severity: 'critical,high', host: 'abc', since: '15m', incident: '7' });
    expect(parseHash('').view).toBe('incidents');
    expect(parseHash('#/nonsense?x=1').view).toBe('incidents');
    expect(parseHash('#/investigate?alert=3&focus=e1').view).toBe('investigate');
  });

  it('builds the same hash back, leaving empty values out and commas readable', () => {
    const href = hrefFor('incidents', { severity: 'critical,high', host: 'abc', since: '15m', incident: 7, q: '', user: undefined });
    expect(href).toBe('#/incidents?severity=critical,high&host=abc&since=15m&incident=7');
    expect(Object.fromEntries(parseHash(href).params)).toEqual({ severity: 'critical,high', host: 'abc', since: '15m', incident: '7' });
    expect(hrefFor('alerts', { q: 'a&b=c d' })).toBe('#/alerts?q=a%26b%3Dc+d');
    expect(parseHash(hrefFor('alerts', { q: 'a&b=c d' })).params.get('q')).toBe('a&b=c d');
    expect(hrefFor('hosts')).toBe('#/hosts');
  });
});

describe('treeOrder', () => {
  it('puts each descendant under its parent, siblings last', () => {
    const n = (entity_id: string, relation: string, parent_entity_id: string | null) => ({ entity_id, relation, parent_entity_id });
    const nodes = [n('init', 'ancestor', null), n('sh', 'focus', 'init'), n('cp', 'sibling', 'init'),
      n('a', 'child', 'sh'), n('b', 'child', 'sh'), n('a1', 'descendant', 'a')];
    expect(treeOrder(nodes).map((x: { entity_id: string }) => x.entity_id)).toEqual(['init', 'sh', 'a', 'a1', 'b', 'cp']);
  });
});
