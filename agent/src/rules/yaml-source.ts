// Reads rule files as YAML documents while keeping positions, so any problem
// found later can be reported as file:line.
import { readFileSync, statSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, type Document, type Node } from 'yaml';
import type { RuleLoadError, YamlPath } from './errors';

export interface SourceDoc {
  file: string;
  /** Plain JS value of the document. */
  value: unknown;
  /** First line of the document. */
  line: number;
  /** Line of the node at `path` (the key's line for map entries). */
  lineOf(path: YamlPath): number;
}

function lineFinder(doc: Document, lc: LineCounter): (path: YamlPath) => number {
  const lineAt = (n: Node | null | undefined): number | undefined =>
    n?.range ? lc.linePos(n.range[0]).line : undefined;
  return (path) => {
    let node: unknown = doc.contents;
    let best = lineAt(doc.contents as Node) ?? 1;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(key));
        if (!pair) break;
        best = lineAt(pair.key as Node) ?? best;
        node = pair.value;
      } else if (isSeq(node) && typeof key === 'number') {
        node = node.items[key];
        best = lineAt(node as Node) ?? best;
      } else break;
    }
    return best;
  };
}

/** A rule file is a few KB; past this it is not a rule file (and parsing it would stall the collector). */
export const MAX_RULE_FILE_BYTES = 1024 * 1024;

/** Every non-empty document of `file`; YAML errors come back as RuleLoadErrors, one per file. */
export function readRuleFile(file: string): { docs: SourceDoc[]; errors: RuleLoadError[] } {
  const errors: RuleLoadError[] = [];
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_RULE_FILE_BYTES) {
      return { docs: [], errors: [{ file, line: 0, reason: `rule file is ${size} bytes, over the ${MAX_RULE_FILE_BYTES}-byte cap: split it, or check it is a rule file` }] };
    }
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { docs: [], errors: [{ file, line: 0, reason: `cannot read rule file: ${(e as Error).message}` }] };
  }
  const lc = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter: lc, prettyErrors: false });
  const list = Array.isArray(parsed) ? parsed : [];
  const docs: SourceDoc[] = [];
  let yamlErrors = 0;
  for (const doc of list) {
    if (doc.errors.length) {
      // The first is the cause; the rest (hundreds for a binary file) follow from it.
      const err = doc.errors[0];
      if (yamlErrors === 0) {
        const line = err.linePos?.[0]?.line ?? lc.linePos(err.pos[0]).line;
        errors.push({ file, line, reason: `YAML error: ${err.message.split('\n')[0]}` });
      }
      yamlErrors += doc.errors.length;
      continue;
    }
    if (doc.contents === null) continue;
    const lineOf = lineFinder(doc, lc);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      errors.push({ file, line: lineOf([]), reason: `YAML error: ${(e as Error).message}` });
      continue;
    }
    docs.push({ file, value, line: lineOf([]), lineOf });
  }
  if (yamlErrors > 1 && errors[0]) errors[0] = { ...errors[0], reason: `${errors[0].reason} (and ${yamlErrors - 1} more YAML errors in this file)` };
  return { docs, errors };
}
