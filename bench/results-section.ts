import { existsSync, readFileSync, writeFileSync } from 'node:fs';

function markers(name: string): { begin: string; end: string } {
  return { begin: `<!-- ${name}:begin -->`, end: `<!-- ${name}:end -->` };
}

/** `text` with the section `name` (between its markers) replaced by `body`, or appended when absent. */
export function replaceSection(text: string, name: string, body: string): string {
  const { begin, end } = markers(name);
  const section = `${begin}\n${body.trim()}\n${end}`;
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  if (from >= 0 && to > from) return `${text.slice(0, from)}${section}${text.slice(to + end.length)}`;
  return `${text.trimEnd()}\n\n${section}\n`;
}

/**
 * Rewrites one marked section of a results file, leaving every other section as it is on disk at
 * this moment: other benchmarks own the rest of the file and may have just written it.
 */
export function writeSection(path: string, name: string, body: string): void {
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmark results\n';
  writeFileSync(path, replaceSection(current, name, body));
}
