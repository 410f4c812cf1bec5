// The layers of src/, top to bottom (docs/architecture.md draws them). A file may import its own
// folder and any layer below its own; never a layer above, and never a sibling on its own floor:
// the worker does not reach into the backfill, a source knows no sink. `npm run check` runs this.
const floors = [
  ['bin'],
  ['worker', 'backfill', 'setup', 'operations'],
  ['pipeline'],
  ['config.ts'],
  ['sources', 'transforms', 'sinks', 'control'],
  ['telemetry'],
  ['core'],
];

const pathOf = (part) => (part.endsWith('.ts') ? `^src/${part.replace('.', '\\.')}$` : `^src/${part}/`);
const anyOf = (parts) => `(${parts.map(pathOf).join('|')})`;

const layerRules = floors
  .flatMap((floor, level) =>
    floor.map((part) => {
      const above = floors.slice(0, level).flat();
      const siblings = floor.filter((other) => other !== part);
      const forbidden = [...above, ...siblings];
      return {
        name: `layer-${part.replace('.ts', '')}`,
        comment: `src/${part} imports only its own folder and the layers below it (${floors
          .slice(level + 1)
          .map((f) => f.join('/'))
          .join(', ')}).`,
        severity: 'error',
        from: { path: pathOf(part) },
        to: { path: anyOf(forbidden) },
      };
    }),
  )
  .filter((rule) => rule.to.path !== '()');

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-circular',
      comment: 'Modules import each other in one direction only.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import resolves (a typo in a path, a package not in package.json).',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // TypeScript 7 has no JavaScript API for dependency-cruiser to parse with; swc parses the sources
    // (type-only imports included: a type from a layer above is a dependency on it all the same).
    parser: 'swc',
    enhancedResolveOptions: {
      extensions: ['.ts', '.js'],
      conditionNames: ['import', 'require', 'node', 'default'],
      exportsFields: ['exports'],
    },
  },
};
