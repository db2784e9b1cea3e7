// The detection condition: parsed once into an AST, then compiled into
// closures over the search identifiers. Precedence, tightest first:
// `x of`, not, and, or; parentheses group.
import { RuleSyntaxError, type YamlPath } from './errors';
import { andAll, anyOf } from './detection';
import type { Matcher } from './types';

export type CondAst =
  | { t: 'id'; name: string }
  | { t: 'not'; e: CondAst }
  | { t: 'and' | 'or'; es: CondAst[] }
  | { t: 'of'; quant: number | 'all'; target: string };

export function parseCondition(text: string, path: YamlPath): CondAst {
  if (text.includes('|')) {
    throw new RuleSyntaxError('aggregations in conditions (`| count() ...`) are not supported: write a correlation rule', path);
  }
  const toks = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new RuleSyntaxError(`condition '${text}': ${msg}`, path);
  };
  const peek = (): string | undefined => toks[i]?.toLowerCase();
  const parseOr = (): CondAst => {
    const es = [parseAnd()];
    while (peek() === 'or') {
      i++;
      es.push(parseAnd());
    }
    return es.length === 1 ? es[0] : { t: 'or', es };
  };
  const parseAnd = (): CondAst => {
    const es = [parseNot()];
    while (peek() === 'and') {
      i++;
      es.push(parseNot());
    }
    return es.length === 1 ? es[0] : { t: 'and', es };
  };
  const parseNot = (): CondAst => {
    if (peek() === 'not') {
      i++;
      return { t: 'not', e: parseNot() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): CondAst => {
    const tok = toks[i];
    if (tok === undefined) return fail('unexpected end');
    const low = tok.toLowerCase();
    if (tok === '(') {
      i++;
      const e = parseOr();
      if (toks[i] !== ')') fail("missing ')'");
      i++;
      return e;
    }
    if (toks[i + 1]?.toLowerCase() === 'of' && (low === 'all' || low === 'any' || /^\d+$/.test(low))) {
      const quant = low === 'all' ? 'all' : low === 'any' ? 1 : Number(low);
      if (quant === 0) fail("'0 of' is never useful");
      const target = toks[i + 2];
      if (target === undefined || target === '(' || target === ')') fail(`'${tok} of' needs an identifier pattern or 'them'`);
      i += 3;
      return { t: 'of', quant, target: target as string };
    }
    if (['and', 'or', 'not', 'of', ')'].includes(low)) fail(`unexpected '${tok}'`);
    i++;
    return { t: 'id', name: tok };
  };
  const ast = parseOr();
  if (i < toks.length) fail(`unexpected '${toks[i]}'`);
  return ast;
}

const globRe = (g: string): RegExp => new RegExp(`^${g.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** The search identifiers an `x of` target names: `them` (all but _-prefixed) or a glob. */
export function ofTargets(target: string, names: Iterable<string>): string[] {
  const re = target === 'them' ? undefined : globRe(target);
  return [...names].filter((n) => (re ? re.test(n) : !n.startsWith('_')));
}

export function compileCondition(ast: CondAst, ids: Map<string, Matcher>, path: YamlPath): Matcher {
  switch (ast.t) {
    case 'id': {
      const m = ids.get(ast.name);
      if (!m) throw new RuleSyntaxError(`condition uses undefined search identifier '${ast.name}'`, path);
      return m;
    }
    case 'not': {
      const m = compileCondition(ast.e, ids, path);
      return (v) => !m(v);
    }
    case 'and':
      return andAll(ast.es.map((e) => compileCondition(e, ids, path)));
    case 'or':
      return anyOf(ast.es.map((e) => compileCondition(e, ids, path)));
    case 'of': {
      const names = ofTargets(ast.target, ids.keys());
      if (names.length === 0) throw new RuleSyntaxError(`condition: no search identifier matches '${ast.target}'`, path);
      const ms = names.map((n) => ids.get(n) as Matcher);
      if (ast.quant === 'all') return andAll(ms);
      if (ast.quant === 1) return anyOf(ms);
      const need = ast.quant;
      return (v) => {
        let n = 0;
        for (const m of ms) if (m(v) && ++n >= need) return true;
        return false;
      };
    }
  }
}
