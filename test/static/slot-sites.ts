import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import * as ts from 'typescript';
import { createKeys } from '../../redis/keys';

/**
 * Finds, in the source, where Redis keys are passed together: every call of a script wrapper
 * (a method of an object exported by redis/scripts.ts or redis/wait-scripts.ts, under whatever
 * local name it is imported) and every `.multi()`/`.pipeline()…exec()` chain, and which
 * redis/keys.ts builders make those keys. redis-slots.test.ts checks that each site's keys share a slot.
 */
const root = join(__dirname, '..', '..');
const builders = createKeys('wa') as unknown as Record<string, unknown>;
const builderNames = new Set(Object.keys(builders).filter((name) => typeof builders[name] === 'function'));
/** Pub/sub channels are no keys: they may sit in a MULTI beside anything. */
const channels = new Set(['callbackWake']);
/** The files of script wrappers: redis/scripts.ts and every redis/*-scripts.ts. */
export const scriptsFiles = readdirSync(join(root, 'redis'))
  .filter((name) => name === 'scripts.ts' || name.endsWith('-scripts.ts'))
  .map((name) => join('redis', name));
/** Where a wrapper taking a HookEmit (its keys as `*Key` fields) has them made. */
const hookEmitMaker = { file: join('hooks', 'hook-emitter.ts'), fn: 'hookEmitArgs' };

export interface Wrapper {
  keyParams: number[];
  script: string;
  /** The builders of keys that come inside a HookEmit (made by hookEmitArgs), not as key parameters. */
  fixedBuilders?: string[];
}
/** Wrapper objects by exported name (`scripts`, `waitScripts`), each's methods by name. */
export type Wrappers = Map<string, Map<string, Wrapper>>;

export interface Site {
  at: string;
  builders: string[];
}

let parsed: ts.SourceFile[] | undefined;

/** Every .ts source file outside test/ and node_modules, parsed once. */
export function sourceFiles(): ts.SourceFile[] {
  parsed ??= readSources();
  return parsed;
}

function readSources(): ts.SourceFile[] {
  const folders = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.') && !['node_modules', 'test'].includes(d.name))
    .map((d) => d.name);
  return folders
    .flatMap((f) => readdirSync(join(root, f), { recursive: true, encoding: 'utf8' }).map((p) => join(root, f, p)))
    .filter((p) => p.endsWith('.ts') && !p.endsWith('.d.ts'))
    .map((p) => ts.createSourceFile(relative(root, p), readFileSync(p, 'utf8'), ts.ScriptTarget.ES2022, true));
}

export function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  ts.forEachChild(node, (child) => walk(child, visit));
}

export const where = (node: ts.Node) =>
  `${node.getSourceFile().fileName}:${node.getSourceFile().getLineAndCharacterOfPosition(node.getStart()).line + 1}`;

/** The exported object literals of the scripts files and their methods: which parameters are keys, which script each runs. */
export function wrappers(files = sourceFiles().filter((f) => scriptsFiles.includes(f.fileName))): Wrappers {
  if (files.length !== scriptsFiles.length) throw new Error(`${scriptsFiles.join(', ')} not all found`);
  const out: Wrappers = new Map();
  const owner = new Map<string, string>();
  for (const file of files)
    walk(file, (node) => {
      if (!ts.isVariableDeclaration(node) || !node.initializer || !ts.isObjectLiteralExpression(node.initializer))
        return;
      const methods = new Map<string, Wrapper>();
      for (const member of node.initializer.properties) {
        if (!ts.isMethodDeclaration(member)) continue;
        const name = member.name.getText();
        // One name, one script: a reader (or this check) must never mistake one wrapper for another.
        const other = owner.get(name);
        if (other) throw new Error(`${where(member)}: wrapper ${name} is also a method of ${other}`);
        owner.set(name, node.name.getText());
        const keyParams = member.parameters
          .map((p, i) => (/^keys?$|Key$/.test(p.name.getText()) ? i : -1))
          .filter((i) => i >= 0);
        const script = /run\(\s*redis,\s*'([a-z0-9-]+)'/.exec(member.getText())?.[1] ?? '';
        const hookEmit =
          !keyParams.length && member.parameters.some((p) => /\bHookEmit\b/.test(p.type?.getText() ?? ''));
        methods.set(name, { keyParams, script, ...(hookEmit ? { fixedBuilders: hookEmitBuilders() } : {}) });
      }
      if (methods.size) out.set(node.name.getText(), methods);
    });
  return out;
}

/** The local names under which a file can reach each wrapper object (its imports of them; their own file: their names). */
function wrapperBindings(file: ts.SourceFile, known: Wrappers): Map<string, string> {
  const bound = new Map<string, string>();
  if (scriptsFiles.includes(file.fileName)) for (const name of known.keys()) bound.set(name, name);
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!/(^|\/)([a-z]+-)?scripts$/.test(statement.moduleSpecifier.text)) continue;
    const named = statement.importClause?.namedBindings;
    if (!named || !ts.isNamedImports(named)) continue;
    for (const element of named.elements) {
      const imported = (element.propertyName ?? element.name).text;
      if (known.has(imported)) bound.set(element.name.text, imported);
    }
  }
  return bound;
}

/** Every wrapper call of `files`; any other use of a wrapper object (aliased, passed on) is refused, as it would go unchecked. */
export function scriptCallSites(known: Wrappers, files = sourceFiles()): Array<Site & { script: string }> {
  const sites: Array<Site & { script: string }> = [];
  for (const file of files) {
    const bound = wrapperBindings(file, known);
    if (!bound.size) continue;
    walk(file, (node) => {
      if (!ts.isIdentifier(node) || !bound.has(node.text)) return;
      const parent = node.parent;
      if (ts.isImportSpecifier(parent) || (ts.isVariableDeclaration(parent) && parent.name === node)) return;
      const call = parent.parent;
      if (!ts.isPropertyAccessExpression(parent) || parent.expression !== node || !ts.isCallExpression(call))
        throw new Error(`${where(node)}: call ${node.text}.<wrapper>(…) directly, so its keys are checked`);
      const object = bound.get(node.text) ?? '';
      const wrapper = known.get(object)?.get(parent.name.text);
      if (!wrapper) throw new Error(`${where(call)}: ${node.text}.${parent.name.text} is not a wrapper of ${object}`);
      const keyArgs = wrapper.keyParams.map((i) => call.arguments[i]);
      const names = wrapper.fixedBuilders ?? keyArgs.flatMap((arg) => (arg ? buildersOf(arg) : []));
      sites.push({ at: where(call), builders: names, script: wrapper.script });
    });
  }
  return sites;
}

/** The builders of the `*Key` fields hookEmitArgs returns (the keys a HookEmit carries). */
function hookEmitBuilders(): string[] {
  const file = sourceFiles().find((f) => f.fileName === hookEmitMaker.file);
  let found: string[] | undefined;
  if (file)
    walk(file, (node) => {
      if (!ts.isFunctionDeclaration(node) || node.name?.text !== hookEmitMaker.fn) return;
      walk(node, (inner) => {
        if (!ts.isReturnStatement(inner) || !inner.expression || !ts.isObjectLiteralExpression(inner.expression))
          return;
        found = inner.expression.properties
          .filter((p): p is ts.PropertyAssignment => ts.isPropertyAssignment(p) && /Key$/.test(p.name.getText()))
          .flatMap((p) => buildersOf(p.initializer));
      });
    });
  if (!found?.length) throw new Error(`${hookEmitMaker.file}: ${hookEmitMaker.fn} returning *Key fields not found`);
  return found;
}

/** The local name of redis/scripts.ts' `run` in `file`, if it imports it. */
function importedRun(file: ts.SourceFile): string | undefined {
  for (const statement of file.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    if (!/(^|\/)redis\/scripts$|^\.\/scripts$/.test(statement.moduleSpecifier.text)) continue;
    const named = statement.importClause?.namedBindings;
    if (!named || !ts.isNamedImports(named)) continue;
    const run = named.elements.find((e) => (e.propertyName ?? e.name).text === 'run');
    if (run) return run.name.text;
  }
  return undefined;
}

/** `run(redis, 'name-N', [keys…], argv)` called outside the wrapper files: the builders of its key list. */
export function directRunSites(files = sourceFiles()): Array<Site & { script: string }> {
  const sites: Array<Site & { script: string }> = [];
  for (const file of files) {
    if (scriptsFiles.includes(file.fileName)) continue;
    const runName = importedRun(file);
    if (!runName) continue;
    walk(file, (node) => {
      if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== runName) return;
      const [, name, keyList] = node.arguments;
      if (!name || !ts.isStringLiteral(name) || !keyList || !ts.isArrayLiteralExpression(keyList))
        throw new Error(
          `${where(node)}: call run(redis, 'script-N', [keys…], argv) with literals, so its keys are checked`,
        );
      sites.push({ at: where(node), builders: keyList.elements.flatMap((k) => buildersOf(k)), script: name.text });
    });
  }
  return sites;
}

/** The declaration of `name` nearest before `at` in the same file (the variable a call passes). */
function resolveIdentifier(name: string, at: ts.Node): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  walk(at.getSourceFile(), (node) => {
    if (ts.isVariableDeclaration(node) && node.name.getText() === name && node.initializer && node.end <= at.pos)
      found = node.initializer;
  });
  return found;
}

/** What the method `name` of the file of `at` returns (its one return statement), e.g. a helper making a script's keys. */
function returnedBy(name: string, at: ts.Node): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  walk(at.getSourceFile(), (node) => {
    if (!ts.isMethodDeclaration(node) || node.name.getText() !== name || !node.body) return;
    const returns = node.body.statements.filter(ts.isReturnStatement);
    if (returns.length === 1) found = returns[0]?.expression;
  });
  return found;
}

/**
 * The builder names behind a key expression: a builder call, an object of them, a variable holding
 * either, either branch of a `?:` (`a|b`), a method of the same class returning either, or a list of one builder's keys (`ids.map((id) => keys.wait(m, id))`, spread or not).
 */
export function buildersOf(expression: ts.Expression, depth = 0): string[] {
  if (depth > 4) throw new Error(`${where(expression)}: key expression nests too deep`);
  if (ts.isObjectLiteralExpression(expression))
    return expression.properties.flatMap((p) => {
      if (ts.isPropertyAssignment(p)) return buildersOf(p.initializer, depth + 1);
      if (ts.isShorthandPropertyAssignment(p)) return buildersOf(p.name, depth + 1);
      throw new Error(`${where(p)}: cannot read key ${p.getText()}`);
    });
  if (ts.isSpreadElement(expression)) return buildersOf(expression.expression, depth + 1);
  // One key made by either builder (a stand-in for a key not read): `a|b`, both checked for the slot.
  if (ts.isConditionalExpression(expression)) {
    const either = [buildersOf(expression.whenTrue, depth + 1), buildersOf(expression.whenFalse, depth + 1)];
    if (either.some((names) => names.length !== 1))
      throw new Error(`${where(expression)}: each branch must be one key`);
    return [either.flat().join('|')];
  }
  if (ts.isIdentifier(expression)) {
    const initializer = resolveIdentifier(expression.text, expression);
    if (!initializer) throw new Error(`${where(expression)}: cannot find where key ${expression.text} is made`);
    return buildersOf(initializer, depth + 1);
  }
  if (ts.isCallExpression(expression) && ts.isPropertyAccessExpression(expression.expression)) {
    const name = expression.expression.name.text;
    if (builderNames.has(name)) return [name];
    if (expression.expression.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const made = returnedBy(name, expression);
      if (made) return buildersOf(made, depth + 1);
    }
    const mapper = expression.arguments[0];
    if (name === 'map' && mapper && ts.isArrowFunction(mapper) && !ts.isBlock(mapper.body))
      return buildersOf(mapper.body, depth + 1);
  }
  throw new Error(`${where(expression)}: key ${expression.getText()} is not made by a redis/keys.ts builder`);
}

const batchStarts = new Set(['multi', 'pipeline']);

/** True for `x.multi()` / `x.pipeline()` (ioredis: on a cluster, both need one slot). */
function startsBatch(node: ts.Node): node is ts.CallExpression {
  return (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    batchStarts.has(node.expression.name.text)
  );
}

/** The outermost call of the method chain `node` starts (`x.multi().set(…).exec()` → the exec call). */
function chainEnd(node: ts.CallExpression): ts.CallExpression {
  let end = node;
  while (ts.isPropertyAccessExpression(end.parent) && ts.isCallExpression(end.parent.parent)) end = end.parent.parent;
  return end;
}

/** MULTI and pipeline chains: the builders of each command's first argument (its key). */
export function multiSites(): Site[] {
  const sites: Site[] = [];
  for (const file of sourceFiles()) {
    walk(file, (start) => {
      if (!startsBatch(start)) return;
      const node = chainEnd(start);
      if (!ts.isPropertyAccessExpression(node.expression) || node.expression.name.text !== 'exec')
        throw new Error(
          `${where(start)}: write a MULTI or pipeline as one chain ending in .exec() (so its keys are checked)`,
        );
      const names: string[] = [];
      let link: ts.Expression = node.expression.expression;
      while (ts.isCallExpression(link) && ts.isPropertyAccessExpression(link.expression)) {
        const command = link.expression.name.text;
        const key = link.arguments[0];
        if (batchStarts.has(command)) break;
        if (!key) throw new Error(`${where(link)}: ${command} in a MULTI without a key`);
        names.push(...buildersOf(key).filter((n) => !channels.has(n)));
        link = link.expression.expression;
      }
      sites.push({ at: where(node), builders: names });
    });
  }
  return sites;
}
