/**
 * Prints a scorer plan as one dependency-free ES module: TypeScript, or JavaScript with JSDoc types
 * (the same statements either way). The printed arithmetic follows src/ir/evaluate.ts operation for
 * operation; names and levels appear only as string literals and in escaped comments.
 */
import type { HeaderFacts } from '../header.js'
import { MISSING_TOKENS } from '../record-rules.js'
import type { CategoryStep, CompactTreesPlan, LinearModelPlan, MlpModelPlan, PlanField, PlanTreeNode, ScorerPlan, TreeModelPlan } from '../scorer-plan.js'
import { TREE_GROUP } from '../layout.js'
import { commentText, jsdocStringLiteral, numberLiteral, propertyKey, stringLiteral } from './literals.js'
import { dialect, runtimeHelper, type Dialect } from './runtime.js'

export interface PrintOptions {
  lang: 'ts' | 'js'
  /** Prefix of the exported type names: `${name}Input`, `${name}Prediction`, `${name}Class`. */
  name: string
  /** How the usage example imports the module, e.g. './scorer.js'. */
  importPath: string
}

/** Score and label arrays longer than this are built with Array.from instead of a literal. */
const LITERAL_SCORES_MAX = 16
/** Numbers per printed line in unrolled lists that have no natural line (levels maps). */
const ENTRIES_PER_LINE = 8

const num = numberLiteral

function fieldType(field: PlanField): string {
  switch (field.type) {
    case 'numeric':
      return 'number | string | null'
    case 'boolean':
      return 'boolean | number | string | null'
    case 'categorical':
      return 'string | number | boolean | null'
  }
}

export function printTypeScript(plan: ScorerPlan, facts: HeaderFacts, options: PrintOptions): string {
  const d = dialect(options.lang)
  const names = { input: `${options.name}Input`, prediction: `${options.name}Prediction`, cls: `${options.name}Class` }
  const parts = [
    header(plan, facts, options, names),
    types(plan, d, names),
    constants(plan, d, names),
    ...plan.helpers.map((h) => runtimeHelper(h, d)),
    encoder(plan, d),
    model(plan, d),
    api(plan, d, names),
  ]
  return parts.filter((p) => p.length > 0).join('\n\n') + '\n'
}

function header(plan: ScorerPlan, facts: HeaderFacts, options: PrintOptions, names: { input: string; prediction: string; cls: string }): string {
  const example = `{ ${facts.example.map(([k, v]) => `${propertyKey(k)}: ${typeof v === 'string' ? stringLiteral(v) : String(v)}`).join(', ')} }`
  const typeImport = options.lang === 'ts' ? `, type ${names.input}` : ''
  const usage =
    plan.classes === null
      ? [`import { score, scoreBatch, ScoringError${typeImport} } from ${stringLiteral(options.importPath)}`, `const { value } = score(${example})`]
      : [
          `import { score, scoreBatch, CLASSES, ScoringError${typeImport} } from ${stringLiteral(options.importPath)}`,
          `const { label, probabilities } = score(${example})`,
          '// label: the most probable class; probabilities[i]: the probability of CLASSES[i]',
        ]
  const tokens = MISSING_TOKENS.map((t) => `'${t}'`).join(', ')
  const lines = [
    facts.title,
    '',
    ...facts.lines,
    '',
    `Usage (an ES module with no dependencies${options.lang === 'js' ? '; JSDoc types' : ''}):`,
    ...usage.map((l) => `  ${l}`),
    '  scoreBatch(records) scores an array in order.',
    '',
    `Fields may be absent, null, NaN or a missing token (${tokens}; surrounding blanks ignored).`,
    'Numbers may come as text ("12.5"), booleans as true/false, "true"/"false" or 0/1. Missing values and',
    'categories never seen in training are handled exactly as the model was trained (imputation, __other__).',
    'A field of the wrong type throws ScoringError (err.field names it), as `mlkafka predict` and serve do.',
    '',
    'Generated code, do not edit: regenerate with `mlkafka export scorer`.',
  ]
  return ['/*', ...lines.map((l) => (l === '' ? ' *' : ` * ${commentText(l)}`)), ' */'].join('\n')
}

function types(plan: ScorerPlan, d: Dialect, names: { input: string; prediction: string; cls: string }): string {
  if (d.ts) {
    const out = [
      '/** A record to score: one optional field per input column; other fields are ignored. */',
      `export interface ${names.input} {`,
      ...plan.fields.map((f) => `  readonly ${stringLiteral(f.name)}?: ${fieldType(f)}`),
      '}',
      '',
    ]
    if (plan.classes === null) out.push(`export interface ${names.prediction} {`, '  value: number', '}')
    else {
      out.push(`export type ${names.cls} = ${plan.classes.map(stringLiteral).join(' | ')}`, '')
      out.push('/** label: the most probable class; probabilities[i]: the probability of CLASSES[i]. */')
      out.push(`export interface ${names.prediction} {`, `  label: ${names.cls}`, '  probabilities: number[]', '}')
    }
    return out.join('\n')
  }
  const out = [
    '/**',
    ' * A record to score: one optional field per input column; other fields are ignored.',
    ' * @typedef {{',
    ...plan.fields.map((f, i) => ` *   readonly ${jsdocStringLiteral(f.name)}?: ${fieldType(f)}${i < plan.fields.length - 1 ? ',' : ''}`),
    ` * }} ${names.input}`,
    ' */',
    '',
  ]
  if (plan.classes === null) out.push(`/** @typedef {{ value: number }} ${names.prediction} */`)
  else {
    out.push(`/** @typedef {${plan.classes.map(jsdocStringLiteral).join(' | ')}} ${names.cls} */`, '')
    out.push(`/** label: the most probable class; probabilities[i]: the probability of CLASSES[i]. @typedef {{ label: ${names.cls}, probabilities: number[] }} ${names.prediction} */`)
  }
  return out.join('\n')
}

function constants(plan: ScorerPlan, d: Dialect, names: { cls: string }): string {
  const out: string[] = []
  if (plan.classes !== null) {
    out.push(`${d.doc('', 'The class texts, in the order of `probabilities`.', `@type {readonly ${names.cls}[]}`)}export const CLASSES${d.t(`: readonly ${names.cls}[]`)} = [${plan.classes.map(stringLiteral).join(', ')}]`)
  }
  out.push(`${d.doc('', 'The input fields, in the order the model reads them.', '@type {readonly string[]}')}export const FIELDS${d.t(': readonly string[]')} = [${plan.fields.map((f) => stringLiteral(f.name)).join(', ')}]`)
  out.push('/** Which model this module scores with. */')
  out.push(
    `export const MODEL = Object.freeze({ id: ${stringLiteral(plan.modelId)}, family: ${stringLiteral(plan.family)}, task: ${stringLiteral(plan.task)}, target: ${stringLiteral(plan.target)} })`,
  )
  return out.join('\n')
}

/**
 * A level lookup: a switch for up to SWITCH_MAX_LEVELS levels (faster than a Map for a few, and readable),
 * a Map beyond. Both compare with ===, as indexOf does; duplicate levels were dropped (first code wins).
 */
const SWITCH_MAX_LEVELS = 16

function levelLookup(step: CategoryStep, index: number, d: Dialect): { decl: string; call: (arg: string) => string } {
  if (step.codes.length === 0) return { decl: '', call: () => String(step.otherCode) }
  if (step.codes.length <= SWITCH_MAX_LEVELS) {
    const name = `levelCode${index}`
    const cases = step.codes.map(([level, code]) => `    case ${stringLiteral(level)}: return ${code}`)
    const decl = [
      // User text stays out of JSDoc (a name holding "@param" would become a tag).
      `// The code of a ${commentText(JSON.stringify(step.column))} level${step.otherCode >= 0 ? '; other levels share the last one' : '; -1 when unknown'}.`,
      `${d.doc('', '', '@param {string} level @returns {number}')}function ${name}(level${d.t(': string')})${d.t(': number')} {`,
      '  switch (level) {',
      ...cases,
      '    default:',
      `      return ${step.otherCode}`,
      '  }',
      '}',
    ].join('\n')
    return { decl, call: (arg) => `${name}(${arg})` }
  }
  const entries = step.codes.map(([level, code]) => `[${stringLiteral(level)}, ${code}]`)
  const rows: string[] = []
  for (let i = 0; i < entries.length; i += ENTRIES_PER_LINE) rows.push(`  ${entries.slice(i, i + ENTRIES_PER_LINE).join(', ')},`)
  const name = `LEVELS_${index}`
  const decl = `// The code of each ${commentText(JSON.stringify(step.column))} level.\n${d.doc('', '', '@type {ReadonlyMap<string, number>}')}const ${name}${d.t(': ReadonlyMap<string, number>')} = new Map${d.t('<string, number>')}([\n${rows.join('\n')}\n])`
  return { decl, call: (arg) => `(${name}.get(${arg}) ?? ${step.otherCode})` }
}

function encoder(plan: ScorerPlan, d: Dialect): string {
  const lookups: string[] = []
  const body: string[] = []
  const uses = { x: false, v: false, level: false, k: false }
  // The common case (a number that is a number, a boolean that is a boolean) is read inline; the helpers
  // apply every other rule. Same results, fewer calls.
  const readInline = (reader: 'number' | 'boolean', column: string): string[] => {
    uses.x = true
    const name = stringLiteral(column)
    const value =
      reader === 'number'
        ? `typeof x === 'number' ? x : readNumber(${name}, ${ownOr(name)})`
        : `typeof x === 'boolean' ? (x ? 1 : 0) : readBoolean(${name}, ${ownOr(name)})`
    return [`  x = rec[${name}]`, value]
  }
  plan.steps.forEach((step, i) => {
    const col = commentText(JSON.stringify(step.column))
    if (step.kind === 'raw') {
      const [read, value] = readInline(step.reader, step.column)
      body.push(`  // f[${step.offset}]: ${col} as is (missing stays NaN: each split routes it)`, read, `  f[${step.offset}] = ${value}`)
      return
    }
    if (step.kind === 'numeric') {
      uses.v = true
      const [read, value] = readInline(step.reader, step.column)
      body.push(`  // f[${step.offset}]: ${col}, missing -> ${num(step.impute)}, standardized`, read, `  v = ${value}`)
      body.push(`  f[${step.offset}] = ((Number.isNaN(v) ? ${num(step.impute)} : v) - ${num(step.center)}) / ${num(step.scale)}`)
      return
    }
    uses.level = true
    uses.k = true
    uses.x = true
    const lookup = levelLookup(step, i, d)
    if (lookup.decl) lookups.push(lookup.decl)
    const name = stringLiteral(step.column)
    if (step.kind === 'onehot') {
      const shown = step.levels.slice(0, 6).map((l) => JSON.stringify(l)).join(', ') + (step.levels.length > 6 ? ', ...' : '') + (step.otherCode >= 0 ? ', other levels' : '')
      body.push(`  // f[${step.offset}..${step.offset + step.width - 1}]: ${col} one-hot (${commentText(shown)}); missing: all 0`)
      body.push(`  x = rec[${name}]`)
      body.push(`  level = readCategory(${name}, typeof x === 'string' ? x : ${ownOr(name)})`)
      body.push(`  k = level === null ? -1 : ${lookup.call('level')}`)
      if (step.width > 0) {
        body.push(`  f.fill(0, ${step.offset}, ${step.offset + step.width})`)
        body.push(`  if (k >= 0) f[${step.offset} + k] = 1`)
      }
    } else {
      body.push(`  // f[${step.offset}]: ${col} as a level code${step.otherCode >= 0 ? ' (other levels share one)' : ''}; missing${step.otherCode >= 0 ? '' : ' or unknown'}: NaN`)
      body.push(`  x = rec[${name}]`)
      body.push(`  level = readCategory(${name}, typeof x === 'string' ? x : ${ownOr(name)})`)
      body.push(`  k = level === null ? -1 : ${lookup.call('level')}`)
      body.push(`  f[${step.offset}] = k >= 0 ? k : NaN`)
    }
  })
  const locals = [
    uses.x ? `  let x${d.t(': unknown')}` : '',
    uses.v ? `  let v${d.t(': number')}` : '',
    uses.level ? `  let level${d.t(': string | null')}` : '',
    uses.k ? `  let k${d.t(': number')}` : '',
  ].filter(Boolean)
  const fn = [
    `${d.doc('', 'The fitted feature pipeline: reads each field of the record and writes the feature vector f.', '@param {Readonly<Record<string, unknown>>} rec @param {Float64Array} f')}function encode(rec${d.t(': Readonly<Record<string, unknown>>')}, f${d.t(': Float64Array')})${d.t(': void')} {`,
    ...locals,
    ...body,
    '}',
  ]
  if (plan.steps.length === 0) fn.splice(1, 0, '  void rec', '  void f')
  return [...lookups, fn.join('\n')].join('\n\n')
}

/**
 * The field's value `x` when it is the record's own (a field named `constructor` or `toString` is absent
 * unless the record has it); the common case, a value of the field's type, never gets here.
 */
function ownOr(name: string): string {
  return `(Object.hasOwn(rec, ${name}) ? x : undefined)`
}

const SCORES_DOC = '@param {Float64Array} f @param {Float64Array} s'

function model(plan: ScorerPlan, d: Dialect): string {
  switch (plan.model.kind) {
    case 'trees':
      return plan.model.layout === 'readable' ? readableTrees(plan, plan.model, d) : compactTrees(plan.model, d)
    case 'linear':
      return linear(plan, plan.model, d)
    case 'mlp':
      return mlp(plan, plan.model, d)
  }
}

function scoresSignature(d: Dialect, name: string, description: string): string {
  return `${d.doc('', description, SCORES_DOC)}function ${name}(f${d.t(': Float64Array')}, s${d.t(': Float64Array')})${d.t(': void')} {`
}

function readableTrees(plan: ScorerPlan, m: Extract<TreeModelPlan, { layout: 'readable' }>, d: Dialect): string {
  const k = m.outputs
  const leaf = (values: number[], indent: string): string[] =>
    m.count === 1
      ? [`${indent}${values.map((v, j) => `s[${j}] = ${num(v)}`).join('; ')}`]
      : [`${indent}${values.map((v, j) => `s[${j}] = s[${j}]${d.nn} + ${num(v)}`).join('; ')}`]
  const walk = (node: PlanTreeNode, indent: string): string[] => {
    if (node.leaf) return leaf(node.values, indent)
    const x = `f[${node.feature}]${d.nn}`
    const test = node.missingLeft ? `!(${x} > ${num(node.threshold)})` : `${x} <= ${num(node.threshold)}`
    return [`${indent}if (${test}) { // ${commentText(node.text)}`, ...walk(node.left, indent + '  '), `${indent}} else {`, ...walk(node.right, indent + '  '), `${indent}}`]
  }
  const what = plan.task === 'regression' ? 'the predicted value' : 'class probabilities'
  if (m.count === 1) {
    return [scoresSignature(d, 'predictScores', `The decision tree: sets s to the leaf's ${what}.`), ...walk(m.trees[0], '  '), '}'].join('\n')
  }
  const trees = m.trees.map((t, i) =>
    [scoresSignature(d, `tree${i}`, `Tree ${i + 1} of ${m.count}: adds its leaf's values to s.`), ...walk(t, '  '), '}'].join('\n'),
  )
  const combine = [
    scoresSignature(d, 'predictScores', `The forest: leaf values summed in tree order${m.average ? `, divided by ${m.count}` : ''} (${what}).`),
    `  s.fill(0)`,
    ...m.trees.map((_, i) => `  tree${i}(f, s)`),
    ...(m.average ? [`  for (let j = 0; j < ${k}; j++) s[j] = s[j]${d.nn} / ${m.count}`] : []),
    '}',
  ]
  return [...trees, combine.join('\n')].join('\n\n')
}

/** One printed line per segment (per tree, per weight row), so big arrays stay readable by part and diff well. */
function perTree(values: number[], starts: number[], per = 1): string {
  const lines: string[] = []
  for (let t = 0; t + 1 < starts.length; t++) {
    // An empty segment would print `[ , ]`: a hole, read as NaN.
    if (starts[t + 1] > starts[t]) lines.push(`  ${values.slice(starts[t] * per, starts[t + 1] * per).map(num).join(',')},`)
  }
  return `[\n${lines.join('\n')}\n]`
}

function compactTrees(m: CompactTreesPlan, d: Dialect): string {
  const k = m.outputs
  const nn = d.nn
  const G = TREE_GROUP
  const grouped = Math.floor(m.count / G) * G
  const arrays = [
    `// ${m.count} tree${m.count === 1 ? '' : 's'} as flat arrays, one line per tree, nodes of all trees concatenated; ROOT[t] is tree t's first node.`,
    '// NODE holds 3 numbers per node. A split: feature * 2 + (1 if a missing value goes right), then its left and',
    '// right child; it goes right when f[feature] > THRESHOLD (or the value is missing and goes right).',
    '// A leaf: 0, itself, and where its values start in VALUE; its THRESHOLD is Infinity, so stepping on stays on it',
    `// and a group of ${G} trees walked side by side reaches its leaves in GROUP_DEPTH steps, with no branch on the data.`,
    `const ROOT = new Int32Array([${m.nodeStart.slice(0, -1).join(',')}])`,
    ...(grouped > 0 ? [`const GROUP_DEPTH = new Int32Array([${m.groupDepth.slice(0, grouped / G).join(',')}])`] : []),
    `const NODE = new Int32Array(${perTree(m.node, m.nodeStart, 3)})`,
    `const THRESHOLD = new Float64Array(${perTree(m.threshold, m.nodeStart)})`,
    `const VALUE = new Float64Array(${perTree(m.leafValues, m.valueStart)})`,
  ]
  const step = (v: string, indent: string): string =>
    `${indent}c = NODE[3 * ${v}]${nn}; x = f[c >> 1]${nn}; ${v} = NODE[3 * ${v} + 1 + (+(x > THRESHOLD[${v}]${nn}) | (+(x !== x) & c))]${nn}`
  const add = (v: string, indent: string): string[] => {
    const at = `at = NODE[3 * ${v} + 2]${nn}`
    if (k > LITERAL_SCORES_MAX) return [`${indent}${at}`, `${indent}for (let j = 0; j < ${k}; j++) s[j] = s[j]${nn} + VALUE[at + j]${nn}`]
    return [`${indent}${at}; ${Array.from({ length: k }, (_, j) => `s[${j}] = s[${j}]${nn} + VALUE[at${j === 0 ? '' : ` + ${j}`}]${nn}`).join('; ')}`]
  }
  const vars = Array.from({ length: G }, (_, i) => `n${i}`)
  const fn = [
    scoresSignature(
      d,
      'predictScores',
      `Walks every tree to its leaf (${G} trees side by side) and adds the leaf values in tree order${m.average ? `, divided by ${m.count}` : ''}.`,
    ),
    `  let c${d.t(': number')}, x${d.t(': number')}, at${d.t(': number')}`,
    '  s.fill(0)',
    ...(grouped > 0
      ? [
          `  for (let t = 0; t < ${grouped}; t += ${G}) {`,
          `    let ${vars.map((v, i) => `${v} = ROOT[t${i === 0 ? '' : ` + ${i}`}]${nn}`).join(', ')}`,
          `    for (let step = GROUP_DEPTH[t / ${G}]${nn}; step > 0; step--) {`,
          ...vars.map((v) => step(v, '      ')),
          '    }',
          ...vars.flatMap((v) => add(v, '    ')),
          '  }',
        ]
      : []),
    ...(grouped < m.count
      ? [
          // With fewer than a group left there is nothing to overlap: a predicted branch runs ahead faster.
          `  for (let t = ${grouped}; t < ${m.count}; t++) {`,
          `    let n = ROOT[t]${nn}`,
          `    for (let left = NODE[3 * n + 1]${nn}; left !== n; left = NODE[3 * n + 1]${nn}) {`,
          `      c = NODE[3 * n]${nn}; x = f[c >> 1]${nn}`,
          `      n = x <= THRESHOLD[n]${nn} ? left : x > THRESHOLD[n]${nn} || (c & 1) === 1 ? NODE[3 * n + 2]${nn} : left`,
          '    }',
          ...add('n', '    '),
          '  }',
        ]
      : []),
    ...(m.average ? [`  for (let j = 0; j < ${k}; j++) s[j] = s[j]${nn} / ${m.count}`] : []),
    '}',
  ]
  return [arrays.join('\n'), fn.join('\n')].join('\n\n')
}

/** The output link, applied to z already in s (softmax) or in the local z (identity, logistic). */
function linkLines(link: 'identity' | 'logistic' | 'softmax', z: string): string[] {
  if (link === 'identity') return [`  s[0] = ${z}`]
  if (link === 'logistic') return [`  const p = sigmoid(${z})`, '  s[0] = 1 - p', '  s[1] = p']
  return ['  softmax(s)']
}

/** z = b; z += w_j * x_j for each j in order: the evaluator's dot product, one statement per weight. */
function unrolledDot(bias: number, weights: number[], input: (j: number) => string, label: (j: number) => string, assign: string): string[] {
  return [`  z = ${num(bias)}`, ...weights.map((w, j) => `  z += ${num(w)} * ${input(j)} // ${commentText(label(j))}`), `  ${assign}`]
}

function linear(plan: ScorerPlan, m: LinearModelPlan, d: Dialect): string {
  const nn = d.nn
  const rows = m.weights.length
  const link = m.link
  const title = `The ${link === 'identity' ? 'linear model' : 'logistic regression'}: z = intercept + sum of weight * feature${link === 'identity' ? '' : `, then ${link === 'logistic' ? 'the sigmoid' : 'softmax'}`}.`
  if (m.layout === 'readable') {
    const body: string[] = [`  let z${d.t(': number')}`]
    m.weights.forEach((w, c) => {
      if (rows > 1) body.push(`  // class ${commentText(JSON.stringify(plan.classes![c]))}`)
      body.push(...unrolledDot(m.intercepts[c], w, (j) => `f[${j}]${nn}`, (j) => JSON.stringify(plan.featureLabels[j]), link === 'softmax' ? `s[${c}] = z` : '').filter((l) => l.trim() !== ''))
    })
    body.push(...linkLines(link, 'z'))
    return [scoresSignature(d, 'predictScores', title), ...body, '}'].join('\n')
  }
  const dWidth = m.inWidth
  const arrays = [
    `// weights: ${rows} row${rows === 1 ? '' : 's'} of ${dWidth} (one per ${link === 'softmax' ? 'class' : 'output'}), row-major, features in the order of encode()`,
    `const WEIGHTS = new Float64Array(${perTree(m.weights.flat(), m.weights.map((_, c) => c * dWidth).concat(rows * dWidth))})`,
    `const INTERCEPTS = new Float64Array([${m.intercepts.map(num).join(',')}])`,
  ]
  const dot = (c: string): string[] => [
    `    let z = INTERCEPTS[${c}]${nn}`,
    `    const at = ${c} * ${dWidth}`,
    `    for (let j = 0; j < ${dWidth}; j++) z += WEIGHTS[at + j]${nn} * f[j]${nn}`,
  ]
  const body =
    link === 'softmax'
      ? [`  for (let c = 0; c < ${rows}; c++) {`, ...dot('c'), '    s[c] = z', '  }', '  softmax(s)']
      : ['  {', ...dot('0'), ...linkLines(link, 'z').map((l) => '  ' + l), '  }']
  return [arrays.join('\n'), [scoresSignature(d, 'predictScores', title), ...body, '}'].join('\n')].join('\n\n')
}

function activationOf(activation: 'relu' | 'tanh' | 'identity', z: string): string {
  return activation === 'relu' ? `${z} > 0 ? ${z} : 0` : activation === 'tanh' ? `Math.tanh(${z})` : z
}

function mlp(plan: ScorerPlan, m: MlpModelPlan, d: Dialect): string {
  const nn = d.nn
  const last = m.layers.length - 1
  const scratch = m.layers.map((l, i) => `const A${i} = new Float64Array(${l.biases.length})`)
  const inputOf = (i: number, j: number): string => (i === 0 ? `f[${j}]${nn}` : `A${i - 1}[${j}]${nn}`)
  const labelOf = (i: number, j: number): string => (i === 0 ? JSON.stringify(plan.featureLabels[j]) : `unit ${j}`)
  const out = m.layers[last]
  const outputLines =
    m.output === 'identity'
      ? [`  s[0] = A${last}[0]${nn}`]
      : m.output === 'logistic'
        ? [`  const p = sigmoid(A${last}[0]${nn})`, '  s[0] = 1 - p', '  s[1] = p']
        : [`  for (let j = 0; j < ${out.biases.length}; j++) s[j] = A${last}[j]${nn}`, '  softmax(s)']
  const title = `The neural net: each layer computes act(bias + sum of weight * input); the output layer's${m.output === 'identity' ? ' first unit is the value' : m.output === 'logistic' ? ' unit goes through the sigmoid' : ' units go through softmax'}.`
  const units = (n: number): string => `${n} unit${n === 1 ? '' : 's'}`
  const layerTitle = (i: number): string => `  // ${i === last ? 'output layer' : `hidden layer ${i + 1}`}: ${units(m.layers[i].biases.length)}, ${m.layers[i].activation}`
  if (m.layout === 'readable') {
    const body: string[] = [`  let z${d.t(': number')}`]
    m.layers.forEach((layer, i) => {
      body.push(layerTitle(i))
      layer.weights.forEach((w, u) => {
        body.push(...unrolledDot(layer.biases[u], w, (j) => inputOf(i, j), (j) => labelOf(i, j), `A${i}[${u}] = ${activationOf(layer.activation, 'z')}`))
      })
    })
    body.push(...outputLines)
    return [scratch.join('\n'), [scoresSignature(d, 'predictScores', title), ...body, '}'].join('\n')].join('\n\n')
  }
  const arrays = m.layers.flatMap((l, i) => [
    `// layer ${i + 1}: ${units(l.biases.length)} x ${l.inWidth} inputs, row-major (one line per unit)`,
    `const W${i} = new Float64Array(${perTree(l.weights.flat(), l.weights.map((_, u) => u * l.inWidth).concat(l.weights.length * l.inWidth))})`,
    `const B${i} = new Float64Array([${l.biases.map(num).join(',')}])`,
  ])
  const body: string[] = []
  m.layers.forEach((layer, i) => {
    body.push(layerTitle(i))
    body.push(
      `  for (let u = 0; u < ${layer.biases.length}; u++) {`,
      `    let z = B${i}[u]${nn}`,
      `    const at = u * ${layer.inWidth}`,
      `    for (let j = 0; j < ${layer.inWidth}; j++) z += W${i}[at + j]${nn} * ${i === 0 ? `f[j]${nn}` : `A${i - 1}[j]${nn}`}`,
      `    A${i}[u] = ${activationOf(layer.activation, 'z')}`,
      '  }',
    )
  })
  body.push(...outputLines)
  return [[...scratch, ...arrays].join('\n'), [scoresSignature(d, 'predictScores', title), ...body, '}'].join('\n')].join('\n\n')
}

function api(plan: ScorerPlan, d: Dialect, names: { input: string; prediction: string }): string {
  const nn = d.nn
  const k = plan.outputs
  const scores = k <= LITERAL_SCORES_MAX ? `[${Array.from({ length: k }, (_, j) => `S[${j}]${nn}`).join(', ')}]` : 'Array.from(S)'
  const result = plan.classes === null ? `{ value: S[0]${nn} }` : `{ label: CLASSES[argmax(S)]${nn}, probabilities: ${scores} }`
  return [
    '// Scratch vectors reused by every call (score is synchronous).',
    `const F = new Float64Array(${plan.width})`,
    `const S = new Float64Array(${k})`,
    '',
    `${d.doc('', 'Scores one record. Throws ScoringError when a field has the wrong type.', `@param {${names.input}} record @returns {${names.prediction}}`)}export function score(record${d.t(`: ${names.input}`)})${d.t(`: ${names.prediction}`)} {`,
    `  encode(record${d.ts ? ' as unknown as Readonly<Record<string, unknown>>' : ''}, F)`,
    '  predictScores(F, S)',
    `  return ${result}`,
    '}',
    '',
    `${d.doc('', 'Scores records in order. Throws the ScoringError of the first bad record (score them one by one to skip bad ones).', `@param {readonly ${names.input}[]} records @returns {${names.prediction}[]}`)}export function scoreBatch(records${d.t(`: readonly ${names.input}[]`)})${d.t(`: ${names.prediction}[]`)} {`,
    `  const out${d.t(`: ${names.prediction}[]`)} = new Array(records.length)`,
    `  for (let i = 0; i < records.length; i++) out[i] = score(records[i]${nn})`,
    '  return out',
    '}',
  ].join('\n')
}
