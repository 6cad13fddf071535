/**
 * Prints a scorer plan as one dependency-free ES module: TypeScript, or JavaScript with JSDoc types
 * (the same statements either way). The printed arithmetic follows src/ir/evaluate.ts operation for
 * operation; names and levels appear only as string literals and in escaped comments.
 */
import type { HeaderFacts } from '../header.js'
import { isMissingText } from '../../data/cells.js'
import { MISSING_TOKENS, NO_SCORE, NOT_A_RECORD } from '../record-rules.js'
import type { CategoryStep, CompactTreesPlan, EnsemblePlan, LinearModelPlan, MemberPlan, MlpModelPlan, PlanField, PlanStep, PlanTreeNode, ScorerPlan, TreeModelPlan } from '../scorer-plan.js'
import { missingTextSets } from '../scorer-plan.js'
import { LANE_STEPS } from '../tree-lanes.js'
import { UserError } from '../../errors.js'
import { levelTable } from './level-table.js'
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
    'A field of the wrong type throws ScoringError (err.field names it), as `mlkafka predict` and serve do; so does a record the model gives no number for (a value far beyond what training saw; err.field is null).',
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
 * A level lookup: a function from text to the level's code (the step's other code when the text is no
 * level), over a perfect hash table (level-table.ts). It compares with ===, as indexOf does; duplicate
 * levels were dropped (first code wins). Levels that read as missing (a missing token, blanks around
 * one) are left out: the evaluator never looks them up.
 */
function levelLookup(step: CategoryStep, index: number, d: Dialect): { decl: string; call: (arg: string) => string } {
  const nn = d.nn
  const entries = step.codes.filter(([level]) => !isMissingText(level))
  if (entries.length === 0) return { decl: '', call: () => String(step.otherCode) }
  const table = levelTable(entries)
  const name = `levelCode${index}`
  if (table === null) {
    // No small perfect hash for these levels (see levelTable): a Map, which compares like === too.
    const decl = [
      `// ${commentText(JSON.stringify(step.column))} levels and their codes.`,
      `const LEVELS_${index} = new Map${d.t('<string, number>')}([`,
      ...entries.map(([level, code]) => `  [${stringLiteral(level)}, ${code}],`),
      '])',
      `${d.doc('', '', '@param {string} s @returns {number}')}function ${name}(s${d.t(': string')})${d.t(': number')} {`,
      `  const code = LEVELS_${index}.get(s)`,
      `  return code === undefined ? ${step.otherCode} : code`,
      '}',
    ].join('\n')
    return { decl, call: (arg) => `${name}(${arg})` }
  }
  const lines = (items: string[]): string => {
    const rows: string[] = []
    for (let i = 0; i < items.length; i += ENTRIES_PER_LINE) rows.push(`  ${items.slice(i, i + ENTRIES_PER_LINE).join(', ')},`)
    return `[\n${rows.join('\n')}\n]`
  }
  const hash = table.positions.map((p) => `  h = Math.imul(h ^ s.charCodeAt(${p >= 0 ? p : `s.length - ${-p}`}), ${table.mix})`)
  const decl = [
    `// ${commentText(JSON.stringify(step.column))} levels and their codes by slot (a perfect hash table: see ${name}); '' is an empty slot.`,
    `${d.doc('', '', '@type {readonly string[]}')}const LEVEL_TEXT_${index}${d.t(': readonly string[]')} = ${lines(table.slots.map((e) => stringLiteral(e === null ? '' : e[0])))}`,
    `const LEVEL_CODE_${index} = new Int32Array(${lines(table.slots.map((e) => String(e === null ? step.otherCode : e[1])))})`,
    `const LEVEL_SEED_${index} = new Int32Array([${table.seeds.join(',')}])`,
    '',
    `// The code of a ${commentText(JSON.stringify(step.column))} level, ${step.otherCode} for any other text: the text's`,
    "// length and a few characters hashed, spread by their bucket's seed, give the only slot it can be in.",
    `${d.doc('', '', '@param {string} s @returns {number}')}function ${name}(s${d.t(': string')})${d.t(': number')} {`,
    `  let h = Math.imul(s.length, ${table.mix})`,
    ...hash,
    `  const slot = Math.imul(h ^ LEVEL_SEED_${index}[h >>> ${32 - table.bucketBits}]${nn}, ${table.spread}) >>> ${32 - table.slotBits}`,
    `  return LEVEL_TEXT_${index}[slot] === s ? LEVEL_CODE_${index}[slot]${nn} : ${step.otherCode}`,
    '}',
  ].join('\n')
  return { decl, call: (arg) => `${name}(${arg})` }
}

function encoder(plan: ScorerPlan, d: Dialect): string {
  const lookups: string[] = []
  const body: string[] = []
  const uses = { x: false, v: false, level: false, k: false }
  // The common case (a number that is a number, a boolean that is a boolean) is read inline; the helpers
  // apply every other rule. Same results, fewer calls.
  const missingSet = missingTextSets((set, column, texts) =>
    lookups.push(
      [
        `// ${commentText(JSON.stringify(column))}: texts the training file had among its values, read as missing (after trimming white space).`,
        `const ${set} = new Set${d.t('<string>')}([${texts.map(stringLiteral).join(', ')}])`,
      ].join('\n'),
    ),
  )
  const readInline = (step: Extract<PlanStep, { kind: 'numeric' | 'raw' }>): string[] => {
    uses.x = true
    const name = stringLiteral(step.column)
    const missing = step.missingTexts.length > 0 ? `typeof x === 'string' && ${missingSet(step.column, step.missingTexts)}.has(x.trim()) ? NaN : ` : ''
    const value =
      step.reader === 'number'
        ? `typeof x === 'number' ? x : ${missing}${step.decimalComma || step.isoDates ? `readTextNumber(${name}, ${ownOr(name)}, ${step.decimalComma}, ${step.isoDates})` : `readNumber(${name}, ${ownOr(name)})`}`
        : `typeof x === 'boolean' ? (x ? 1 : 0) : ${missing}readBoolean(${name}, ${ownOr(name)})`
    return [`  x = rec[${name}]`, value]
  }
  plan.steps.forEach((step, i) => {
    const col = commentText(JSON.stringify(step.column))
    if (step.kind === 'raw') {
      const [read, value] = readInline(step)
      body.push(`  // f[${step.offset}]: ${col} as is (missing stays NaN: each split routes it)`, read, `  f[${step.offset}] = ${value}`)
      return
    }
    if (step.kind === 'numeric') {
      uses.v = true
      const [read, value] = readInline(step)
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
    // Text is looked up at once (a missing token is no level); a text that is no level, again as the
    // level it stands for (canonicalLevel: 1.50 is 1.5). Other values go through readCategory (whose
    // texts for numbers and booleans are canonical already).
    const code = [
      `  x = rec[${name}]`,
      `  if (typeof x === 'string') {`,
      `    k = ${lookup.call('x')}`,
      ...(lookup.decl
        ? [`    if (k === ${step.otherCode}) {`, '      level = canonicalLevel(x)', `      k = isMissingText(level) ? -1 : ${lookup.call('level')}`, '    }']
        : step.otherCode >= 0
          ? [`    if (k === ${step.otherCode} && isMissingText(x)) k = -1`]
          : []),
      '  } else {',
      `    level = readCategory(${name}, ${ownOr(name)})`,
      `    k = level === null ? -1 : ${lookup.call('level')}`,
      '  }',
    ]
    if (step.kind === 'onehot') {
      const shown = step.levels.slice(0, 6).map((l) => JSON.stringify(l)).join(', ') + (step.levels.length > 6 ? ', ...' : '') + (step.otherCode >= 0 ? ', other levels' : '')
      body.push(`  // f[${step.offset}..${step.offset + step.width - 1}]: ${col} one-hot (${commentText(shown)}); missing: all 0`)
      body.push(...code)
      if (step.width > 0) {
        body.push(`  f.fill(0, ${step.offset}, ${step.offset + step.width})`)
        body.push(`  if (k >= 0) f[${step.offset} + k] = 1`)
      }
    } else {
      body.push(`  // f[${step.offset}]: ${col} as a level code${step.otherCode >= 0 ? ' (other levels share one)' : ''}; missing${step.otherCode >= 0 ? '' : ' or unknown'}: NaN`)
      body.push(...code)
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
  const m = plan.model
  return m.kind === 'ensemble' ? ensemble(plan, m, d) : member(plan, m, d, '')
}

/** A single model's predictScores (named with prefix p, as are its arrays and helpers). */
function member(plan: ScorerPlan, m: MemberPlan, d: Dialect, p: string): string {
  switch (m.kind) {
    case 'trees':
      return m.layout === 'readable' ? readableTrees(plan, m, d, p) : compactTrees(plan, m, d, p)
    case 'linear':
      return linear(plan, m, d, p)
    case 'mlp':
      return mlp(plan, m, d, p)
  }
}

/**
 * An ensemble: each member printed as a model of its own (prefix M<i>_) that reads its slice of f, then
 * predictScores adds weight * member score to s, member by member in order, as the evaluator does.
 */
function ensemble(plan: ScorerPlan, m: EnsemblePlan, d: Dialect): string {
  const nn = d.nn
  const k = m.outputs
  const parts = m.members.map((x, i) =>
    [
      `// ---- member ${i + 1} of ${m.members.length}: ${commentText(x.modelId)} (${commentText(x.family)}), weight ${num(x.weight)}, features f[${x.offset}..${x.offset + x.width - 1}]`,
      member({ ...plan, steps: x.steps, width: x.width, featureLabels: x.featureLabels, model: x.model }, x.model, d, `M${i}_`),
    ].join('\n'),
  )
  const add = (w: number): string[] =>
    k > LITERAL_SCORES_MAX
      ? [`  for (let j = 0; j < ${k}; j++) s[j] = s[j]${nn} + ${num(w)} * T[j]${nn}`]
      : [`  ${Array.from({ length: k }, (_, j) => `s[${j}] = s[${j}]${nn} + ${num(w)} * T[${j}]${nn}`).join('; ')}`]
  const combine = [
    '// ---- the ensemble',
    '// Scratch: one member\'s scores.',
    `const T = new Float64Array(${k})`,
    '',
    scoresSignature(d, 'predictScores', `The ensemble of ${m.members.length} models: each member scores its slice of f, and s adds weight * its scores, member by member.`),
    '  s.fill(0)',
    ...m.members.flatMap((x, i) => [`  M${i}_predictScores(f.subarray(${x.offset}, ${x.offset + x.width}), T)`, ...add(x.weight)]),
    '}',
  ]
  return [...parts, combine.join('\n')].join('\n\n')
}

function scoresSignature(d: Dialect, name: string, description: string): string {
  return `${d.doc('', description, SCORES_DOC)}function ${name}(f${d.t(': Float64Array')}, s${d.t(': Float64Array')})${d.t(': void')} {`
}

function readableTrees(plan: ScorerPlan, m: Extract<TreeModelPlan, { layout: 'readable' }>, d: Dialect, p: string): string {
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
    return [scoresSignature(d, `${p}predictScores`, `The decision tree: sets s to the leaf's ${what}.`), ...walk(m.trees[0], '  '), '}'].join('\n')
  }
  const trees = m.trees.map((t, i) =>
    [scoresSignature(d, `${p}tree${i}`, `Tree ${i + 1} of ${m.count}: adds its leaf's values to s.`), ...walk(t, '  '), '}'].join('\n'),
  )
  const combine = [
    scoresSignature(d, `${p}predictScores`, `The forest: leaf values summed in tree order${m.average ? `, divided by ${m.count}` : ''} (${what}).`),
    `  s.fill(0)`,
    ...m.trees.map((_, i) => `  ${p}tree${i}(f, s)`),
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

function compactTrees(plan: ScorerPlan, m: CompactTreesPlan, d: Dialect, p: string): string {
  const lanes = m.lanes
  if (lanes === null) {
    // Only a model with tens of thousands of distinct thresholds on a feature gets here (see laneForest).
    throw new UserError(`model ${JSON.stringify(plan.modelId)}: its trees split a feature at too many distinct thresholds for the TypeScript scorer's arrays; export it as Java (\`mlkafka export udf\`)`)
  }
  const k = m.outputs
  const nn = d.nn
  const G = lanes.lanes
  const slotMask = 2 ** lanes.slotBits - 1
  const leafMask = 2 ** lanes.leafShift - 1
  const park = lanes.park
  const lines = (items: string[], per: number): string => {
    const rows: string[] = []
    for (let i = 0; i < items.length; i += per) rows.push(`  ${items.slice(i, i + per).join(',')},`)
    return `[\n${rows.join('\n')}\n]`
  }
  // Each feature's thresholds, padded with NaN (never below a value) to 2^steps - 1 for a branch-free search.
  const padded = lanes.binned.map((b) => {
    let steps = 0
    while (2 ** steps < b.thresholds.length + 1) steps++
    return { ...b, steps, values: [...b.thresholds, ...new Array<number>(2 ** steps - 1 - b.thresholds.length).fill(NaN)] }
  })
  const thresholdLines = padded.filter((b) => b.values.length > 0).map((b) => `  ${b.values.map(num).join(',')}, // f[${b.feature}] ${commentText(JSON.stringify(plan.featureLabels[b.feature] ?? ''))}`)
  const nodeLines: string[] = []
  for (let t = 0; t < m.count; t++) nodeLines.push(`  ${lanes.node.slice(lanes.treeStart[t], lanes.treeStart[t + 1]).join(',')},`)
  nodeLines.push(`  ${lanes.node.slice(park).join(',')}, // the node lanes end on`)
  const maxTrees = lanes.batches.reduce((most, b) => Math.max(most, b.trees), 0)
  const arrays = [
    `// ${m.count} tree${m.count === 1 ? '' : 's'} walked ${G} at a time on binned features (see predictScores).`,
    '// THRESHOLDS: per feature a split reads, its split thresholds sorted (NaN pads the list to 2^n - 1). A',
    "// feature's bin is how many are below its value, so value <= threshold r exactly when bin <= r.",
    thresholdLines.length > 0 ? `const ${p}THRESHOLDS = new Float64Array([\n${thresholdLines.join('\n')}\n])` : '// (no split reads a threshold)',
    '// NODE: 3 ints per node, one line per tree: a word, then the left and right child (offsets into NODE).',
    `// A split's word is rank << ${lanes.slotBits} | slot; it goes right when BINS[word & ${slotMask}] > word. A leaf's word is`,
    `// (its tree's number in the batch + 1) << ${lanes.leafShift} | i, its values being VALUE[${k === 1 ? 'i' : `${k} * i ..`}]; both its children`,
    "// are the root of the next tree in its lane (or the node lanes end on).",
    `const ${p}NODE = new Int32Array([\n${nodeLines.join('\n')}\n])`,
    `// The distinct leaf values, ${k} per leaf.`,
    `const ${p}VALUE = new Float64Array(${lines(lanes.values.map(num), k * Math.max(1, Math.floor(16 / k)))})`,
    '// Scratch: the bins of a record (slot 2i: feature i, a missing value goes right; 2i + 1: it goes left);',
    "// each tree's leaf word by tree number (0: splits' words, ignored).",
    `const ${p}BINS = new Int32Array(${slotMask + 1})`,
    `${p}BINS[${lanes.leftSlot}] = -1 // splits at a NaN threshold whose missing values go left`,
    `${p}BINS[${lanes.rightSlot}] = ${lanes.missingRight} // and right`,
    `const ${p}LEAF = new Int32Array(${maxTrees + 1})`,
  ]
  const bin = padded.flatMap((b, i) => {
    const label = commentText(JSON.stringify(plan.featureLabels[b.feature] ?? ''))
    const out = [`  // f[${b.feature}] ${label}: ${b.thresholds.length} threshold${b.thresholds.length === 1 ? '' : 's'}`, `  x = f[${b.feature}]${nn}`, '  b = 0']
    let base = 0
    for (const before of padded.slice(0, i)) base += before.values.length
    for (let step = b.steps - 1; step >= 0; step--) {
      const at = [...(base > 0 ? [String(base)] : []), 'b', ...(step > 0 ? [String(2 ** step - 1)] : [])].join(' + ')
      out.push(`  b += +(${p}THRESHOLDS[${at}]${nn} < x)${step > 0 ? ` << ${step}` : ''}`)
    }
    out.push(`  ${p}BINS[${2 * i}] = x !== x ? ${lanes.missingRight} : b << ${lanes.slotBits}`, `  ${p}BINS[${2 * i + 1}] = x !== x ? -1 : b << ${lanes.slotBits}`)
    return out
  })
  const binFn = [
    `${d.doc('', 'Sets the bins of the features the splits read (a binary search without branches per feature).', '@param {Float64Array} f')}function ${p}binFeatures(f${d.t(': Float64Array')})${d.t(': void')} {`,
    `  let x${d.t(': number')}, b${d.t(': number')}`,
    ...bin,
    '}',
  ]
  if (padded.length === 0) binFn.splice(1, 1, '  void f')
  const vars = Array.from({ length: G }, (_, i) => `n${i}`)
  const step = (v: string): string => `    w = ${p}NODE[${v}]${nn}; ${p}LEAF[w >>> ${lanes.leafShift}] = w; ${v} = ${p}NODE[(${v} + 1 + +(${p}BINS[w & ${slotMask}]${nn} > w)) | 0]${nn}`
  const add =
    k > LITERAL_SCORES_MAX
      ? [`    for (let j = 0; j < ${k}; j++) s[j] = s[j]${nn} + ${p}VALUE[at + j]${nn}`]
      : [`    ${Array.from({ length: k }, (_, j) => `s[${j}] = s[${j}]${nn} + ${p}VALUE[at${j === 0 ? '' : ` + ${j}`}]${nn}`).join('; ')}`]
  let first = 0
  // One block per batch (a loop over batches would slow the walk down by a third, measured on Node 20).
  const batches = lanes.batches.flatMap((batch, i) => {
    const block = [
      ...(lanes.batches.length > 1 ? [`  // batch ${i + 1}: trees ${first}..${first + batch.trees - 1}`] : []),
      `  ${vars.map((v, lane) => `${v} = ${batch.start[lane]}`).join('; ')}`,
      '  do {',
      ...Array.from({ length: LANE_STEPS }, () => vars.map(step)).flat(),
      `  } while ((${vars.map((v) => `(${v} ^ ${park})`).join(' | ')}) !== 0)`,
      `  for (let t = 1; t <= ${batch.trees}; t++) {`,
      `    at = (${p}LEAF[t]${nn} & ${leafMask}) * ${k}`,
      ...add,
      '  }',
    ]
    first += batch.trees
    return block
  })
  const fn = [
    scoresSignature(
      d,
      `${p}predictScores`,
      `Walks all trees, ${G} lanes side by side, each lane through its trees one after another; then adds the leaf values in tree order${m.average ? `, divided by ${m.count}` : ''}. A step records the word of the node it leaves and takes no branch on the data; a tree's leaf is its last node, so LEAF ends up holding every tree's leaf.`,
    ),
    `  ${p}binFeatures(f)`,
    '  s.fill(0)',
    `  let w${d.t(': number')}, at${d.t(': number')}, ${vars.map((v) => `${v}${d.t(': number')}`).join(', ')}`,
    ...batches,
    ...(m.average ? [`  for (let j = 0; j < ${k}; j++) s[j] = s[j]${nn} / ${m.count}`] : []),
    '}',
  ]
  return [arrays.join('\n'), binFn.join('\n'), fn.join('\n')].join('\n\n')
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

function linear(plan: ScorerPlan, m: LinearModelPlan, d: Dialect, p: string): string {
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
    return [scoresSignature(d, `${p}predictScores`, title), ...body, '}'].join('\n')
  }
  const dWidth = m.inWidth
  const arrays = [
    `// weights: ${rows} row${rows === 1 ? '' : 's'} of ${dWidth} (one per ${link === 'softmax' ? 'class' : 'output'}), row-major, features in the order of encode()`,
    `const ${p}WEIGHTS = new Float64Array(${perTree(m.weights.flat(), m.weights.map((_, c) => c * dWidth).concat(rows * dWidth))})`,
    `const ${p}INTERCEPTS = new Float64Array([${m.intercepts.map(num).join(',')}])`,
  ]
  const dot = (c: string): string[] => [
    `    let z = ${p}INTERCEPTS[${c}]${nn}`,
    `    const at = ${c} * ${dWidth}`,
    `    for (let j = 0; j < ${dWidth}; j++) z += ${p}WEIGHTS[at + j]${nn} * f[j]${nn}`,
  ]
  const body =
    link === 'softmax'
      ? [`  for (let c = 0; c < ${rows}; c++) {`, ...dot('c'), '    s[c] = z', '  }', '  softmax(s)']
      : ['  {', ...dot('0'), ...linkLines(link, 'z').map((l) => '  ' + l), '  }']
  return [arrays.join('\n'), [scoresSignature(d, `${p}predictScores`, title), ...body, '}'].join('\n')].join('\n\n')
}

function activationOf(activation: 'relu' | 'tanh' | 'identity', z: string): string {
  return activation === 'relu' ? `${z} > 0 ? ${z} : 0` : activation === 'tanh' ? `Math.tanh(${z})` : z
}

function mlp(plan: ScorerPlan, m: MlpModelPlan, d: Dialect, p: string): string {
  const nn = d.nn
  const last = m.layers.length - 1
  const scratch = m.layers.map((l, i) => `const ${p}A${i} = new Float64Array(${l.biases.length})`)
  const inputOf = (i: number, j: number): string => (i === 0 ? `f[${j}]${nn}` : `${p}A${i - 1}[${j}]${nn}`)
  const labelOf = (i: number, j: number): string => (i === 0 ? JSON.stringify(plan.featureLabels[j]) : `unit ${j}`)
  const out = m.layers[last]
  const outputLines =
    m.output === 'identity'
      ? [`  s[0] = ${p}A${last}[0]${nn}`]
      : m.output === 'logistic'
        ? [`  const p = sigmoid(${p}A${last}[0]${nn})`, '  s[0] = 1 - p', '  s[1] = p']
        : [`  for (let j = 0; j < ${out.biases.length}; j++) s[j] = ${p}A${last}[j]${nn}`, '  softmax(s)']
  const title = `The neural net: each layer computes act(bias + sum of weight * input); the output layer's${m.output === 'identity' ? ' first unit is the value' : m.output === 'logistic' ? ' unit goes through the sigmoid' : ' units go through softmax'}.`
  const units = (n: number): string => `${n} unit${n === 1 ? '' : 's'}`
  const layerTitle = (i: number): string => `  // ${i === last ? 'output layer' : `hidden layer ${i + 1}`}: ${units(m.layers[i].biases.length)}, ${m.layers[i].activation}`
  if (m.layout === 'readable') {
    const body: string[] = [`  let z${d.t(': number')}`]
    m.layers.forEach((layer, i) => {
      body.push(layerTitle(i))
      layer.weights.forEach((w, u) => {
        body.push(...unrolledDot(layer.biases[u], w, (j) => inputOf(i, j), (j) => labelOf(i, j), `${p}A${i}[${u}] = ${activationOf(layer.activation, 'z')}`))
      })
    })
    body.push(...outputLines)
    return [scratch.join('\n'), [scoresSignature(d, `${p}predictScores`, title), ...body, '}'].join('\n')].join('\n\n')
  }
  const arrays = m.layers.flatMap((l, i) => [
    `// layer ${i + 1}: ${units(l.biases.length)} x ${l.inWidth} inputs, row-major (one line per unit)`,
    `const ${p}W${i} = new Float64Array(${perTree(l.weights.flat(), l.weights.map((_, u) => u * l.inWidth).concat(l.weights.length * l.inWidth))})`,
    `const ${p}B${i} = new Float64Array([${l.biases.map(num).join(',')}])`,
  ])
  const body: string[] = []
  m.layers.forEach((layer, i) => {
    body.push(layerTitle(i))
    body.push(
      `  for (let u = 0; u < ${layer.biases.length}; u++) {`,
      `    let z = ${p}B${i}[u]${nn}`,
      `    const at = u * ${layer.inWidth}`,
      `    for (let j = 0; j < ${layer.inWidth}; j++) z += ${p}W${i}[at + j]${nn} * ${i === 0 ? `f[j]${nn}` : `${p}A${i - 1}[j]${nn}`}`,
      `    ${p}A${i}[u] = ${activationOf(layer.activation, 'z')}`,
      '  }',
    )
  })
  body.push(...outputLines)
  return [[...scratch, ...arrays].join('\n'), [scoresSignature(d, `${p}predictScores`, title), ...body, '}'].join('\n')].join('\n\n')
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
    `${d.doc('', 'Scores one record. Throws ScoringError when a field has the wrong type, or when the record is no object or the model gives no number for it (err.field is null then).', `@param {${names.input}} record @returns {${names.prediction}}`)}export function score(record${d.t(`: ${names.input}`)})${d.t(`: ${names.prediction}`)} {`,
    `  if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new ScoringError(null, \`${NOT_A_RECORD}, got \${show(record)}\`)`,
    `  encode(record${d.ts ? ' as unknown as Readonly<Record<string, unknown>>' : ''}, F)`,
    '  predictScores(F, S)',
    `  for (let j = 0; j < ${k}; j++) if (!Number.isFinite(S[j])) throw new ScoringError(null, ${stringLiteral(NO_SCORE)})`,
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
