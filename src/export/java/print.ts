/**
 * Prints a scorer plan as one dependency-free Java class (Java 11+): the feature pipeline and the model,
 * with `score(Map)` (class probabilities or a 1-element value array) and `predict(Map)`. The arithmetic
 * follows src/ir/evaluate.ts operation for operation (Java's double arithmetic is strict IEEE 754;
 * exp and tanh are StrictMath's fdlibm, as V8's are). Names and levels appear only as string literals.
 *
 * Java's limits shape the layout: a method's code is at most 64 KB and so is <clinit>, which would
 * hold every array literal element as several bytes of code. So compact models keep their arrays as
 * packed text (string constants, each under 64 KB, decoded once when the class loads), and a single
 * tree stays nested ifs only up to JAVA_SINGLE_TREE_MAX_UNITS.
 */
import type { HeaderFacts } from '../header.js'
import type { CategoryStep, CompactTreesPlan, EnsemblePlan, LinearModelPlan, MemberPlan, MlpModelPlan, PlanTreeNode, ScorerPlan, TreeModelPlan } from '../scorer-plan.js'
import { missingTextSets } from '../scorer-plan.js'
import { javaComment, javaDouble, javaString } from './literals.js'
import { JAVA_RUNTIME } from './runtime.js'
import { NO_SCORE, NOT_A_RECORD } from '../record-rules.js'

export interface JavaPrintOptions {
  className: string
  /** Java package, or '' for none. */
  packageName: string
}

/** One string constant of packed data stays below the class file's 65535-byte limit per constant (a multiple of 4: whole base64 groups). */
const CHUNK = 60_000

const num = javaDouble

/** An array as base64 of its big-endian bytes (doubles bit for bit), in string constants under 64 KB each. */
function packed(name: string, kind: 'double' | 'int', values: number[]): string {
  const bytes = Buffer.alloc(values.length * (kind === 'double' ? 8 : 4))
  values.forEach((v, i) => (kind === 'double' ? bytes.writeDoubleBE(v, i * 8) : bytes.writeInt32BE(v, i * 4)))
  const text = bytes.toString('base64')
  const parts: string[] = []
  for (let i = 0; i < text.length; i += CHUNK) parts.push(`      "${text.slice(i, i + CHUNK)}"`)
  if (parts.length === 0) parts.push('      ""')
  return `  private static final ${kind}[] ${name} = ${kind === 'double' ? 'doubles' : 'ints'}(new String[] {\n${parts.join(',\n')}\n  }, ${values.length});`
}

export function printJava(plan: ScorerPlan, facts: HeaderFacts, options: JavaPrintOptions): string {
  const parts = [
    ...(options.packageName ? [`package ${options.packageName};`, ''] : []),
    'import java.util.Collections;',
    'import java.util.HashMap;',
    'import java.util.List;',
    'import java.util.Map;',
    '',
    header(plan, facts, options),
    `public final class ${options.className} {`,
    `  private ${options.className}() {}`,
    '',
    constants(plan),
    '',
    api(plan),
    '',
    encoder(plan),
    '',
    model(plan),
    '',
    JAVA_RUNTIME,
    '}',
  ]
  return parts.join('\n') + '\n'
}

function header(plan: ScorerPlan, facts: HeaderFacts, options: JavaPrintOptions): string {
  const lines = [
    facts.title,
    '',
    ...facts.lines,
    '',
    'Usage (no dependencies, Java 11+; thread-safe):',
    `  double[] scores = ${options.className}.score(record); // a Map<String, ?> such as a parsed JSON object`,
    plan.classes === null
      ? `  double value = scores[0]; String text = ${options.className}.predict(record);`
      : `  String label = ${options.className}.predict(record); // scores[i] is the probability of CLASSES.get(i)`,
    '',
    'Fields may be absent, null, NaN or a missing token (NA, NaN, null, ?, empty; surrounding blanks ignored).',
    'Numbers may come as text ("12.5"), booleans as true/false, "true"/"false" or 0/1. Missing values and',
    'categories never seen in training are handled exactly as the model was trained (imputation, __other__).',
    'A field of the wrong type throws ScoringException (getField() names it), as mlkafka predict and serve do.',
    '',
    'Generated code, do not edit: regenerate with mlkafka export udf.',
  ]
  return ['/*', ...lines.map((l) => (l === '' ? ' *' : ` * ${javaComment(l)}`)), ' */'].join('\n')
}

function constants(plan: ScorerPlan): string {
  const list = (items: string[]): string => (items.length === 0 ? 'Collections.emptyList()' : `List.of(${items.map(javaString).join(', ')})`)
  const out: string[] = []
  if (plan.classes !== null) out.push('  /** The class texts, in the order of score()\'s probabilities. */', `  public static final List<String> CLASSES = ${list(plan.classes)};`)
  out.push('  /** The input fields, in the order the model reads them. */', `  public static final List<String> FIELDS = ${list(plan.fields.map((f) => f.name))};`)
  out.push(`  public static final String MODEL_ID = ${javaString(plan.modelId)};`)
  out.push(`  public static final String FAMILY = ${javaString(plan.family)};`)
  out.push(`  public static final String TASK = ${javaString(plan.task)};`)
  out.push(`  public static final String TARGET = ${javaString(plan.target)};`)
  out.push(`  /** Scores per record: ${plan.classes === null ? '1 (the value)' : 'one probability per class'}. */`, `  public static final int OUTPUTS = ${plan.outputs};`)
  return out.join('\n')
}

function api(plan: ScorerPlan): string {
  const predict =
    plan.classes === null
      ? ['  /** The predicted value as text (JavaScript number notation, as mlkafka serve writes it). */', '  public static String predict(Map<String, ?> record) {', '    return jsNumber(score(record)[0]);', '  }']
      : ['  /** The most probable class (the first one wins a tie). */', '  public static String predict(Map<String, ?> record) {', '    return CLASSES.get(argmax(score(record)));', '  }']
  const positional = [
    '',
    '  /** score() with the field values given in FIELDS order (null: missing), e.g. from typed columns. */',
    '  public static double[] scoreValues(Object... values) {',
    '    if (values.length != FIELDS.size()) throw new IllegalArgumentException("expected " + FIELDS.size() + " values (one per FIELDS entry), got " + values.length);',
    '    Map<String, Object> record = new HashMap<>();',
    '    for (int i = 0; i < values.length; i++) record.put(FIELDS.get(i), values[i]);',
    '    return score(record);',
    '  }',
  ]
  return [
    `  /** Scores one record: ${plan.classes === null ? 'a 1-element array holding the value' : 'the probability of each class, in CLASSES order'}. Throws ScoringException when a field has the wrong type, or when the record is null or the model gives no number for it (getField() is null then). */`,
    '  public static double[] score(Map<String, ?> record) {',
    `    if (record == null) throw new ScoringException(null, ${javaString(NOT_A_RECORD + ', got null')});`,
    `    double[] f = new double[${plan.width}];`,
    `    double[] s = new double[${plan.outputs}];`,
    '    encode(record, f);',
    '    predictScores(f, s);',
    `    for (double v : s) if (!Double.isFinite(v)) throw new ScoringException(null, ${javaString(NO_SCORE)});`,
    '    return s;',
    '  }',
    ...positional,
    '',
    ...predict,
  ].join('\n')
}

function levelMap(step: CategoryStep, index: number): string {
  const levels = step.codes.map(([l]) => javaString(l))
  const codes = step.codes.map(([, c]) => String(c))
  const rows = (items: string[]): string => {
    const out: string[] = []
    for (let i = 0; i < items.length; i += 8) out.push(`      ${items.slice(i, i + 8).join(', ')}`)
    return out.join(',\n')
  }
  return [
    `  private static final Map<String, Integer> LEVELS_${index} = levels(`,
    `    new String[] {\n${rows(levels)}\n    },`,
    `    new int[] {\n${rows(codes)}\n    });`,
  ].join('\n')
}

function encoder(plan: ScorerPlan): string {
  const maps: string[] = []
  const body: string[] = []
  const missingSet = missingTextSets((set, column, texts) =>
    maps.push(
      `  // ${javaComment(JSON.stringify(column))}: texts the training file had among its values, read as missing (after trimming white space).\n` +
        `  private static final java.util.Set<String> ${set} = new java.util.HashSet<>(java.util.Arrays.asList(${texts.map(javaString).join(', ')}));`,
    ),
  )
  plan.steps.forEach((step, i) => {
    const name = javaString(step.column)
    const col = javaComment(JSON.stringify(step.column))
    if (step.kind === 'raw' || step.kind === 'numeric') {
      const value = step.missingTexts.length > 0 ? `unlessMissingText(record.get(${name}), ${missingSet(step.column, step.missingTexts)})` : `record.get(${name})`
      const read =
        step.reader === 'boolean'
          ? `readBoolean(${name}, ${value})`
          : step.decimalComma || step.isoDates
            ? `readTextNumber(${name}, ${value}, ${step.decimalComma}, ${step.isoDates})`
            : `readNumber(${name}, ${value})`
      if (step.kind === 'raw') body.push(`    // f[${step.offset}]: ${col} as is (missing stays NaN: each split routes it)`, `    f[${step.offset}] = ${read};`)
      else {
        body.push(`    // f[${step.offset}]: ${col}, missing -> ${num(step.impute)}, standardized`, `    v = ${read};`)
        body.push(`    f[${step.offset}] = ((Double.isNaN(v) ? ${num(step.impute)} : v) - ${num(step.center)}) / ${num(step.scale)};`)
      }
      return
    }
    const lookup = step.codes.length === 0 ? String(step.otherCode) : `LEVELS_${i}.getOrDefault(level, ${step.otherCode})`
    if (step.codes.length > 0) maps.push(levelMap(step, i))
    body.push(`    // f[${step.offset}${step.kind === 'onehot' ? `..${step.offset + step.width - 1}` : ''}]: ${col} ${step.kind === 'onehot' ? 'one-hot; missing: all 0' : 'as a level code; missing or unknown without __other__: NaN'}`)
    body.push(`    level = readCategory(${name}, record.get(${name}));`)
    if (step.codes.length === 0) body.push(`    k = level == null ? -1 : ${lookup};`)
    else {
      // A text that is no level, again as the level it stands for (canonicalLevel: 1.50 is 1.5).
      body.push(`    k = level == null ? -1 : LEVELS_${i}.getOrDefault(level, -2);`)
      body.push(`    if (k == -2) {`, '      level = canonicalLevel(level);', `      k = isMissingText(level) ? -1 : LEVELS_${i}.getOrDefault(level, ${step.otherCode});`, '    }')
    }
    if (step.kind === 'onehot') {
      if (step.width > 0) body.push(`    if (k >= 0) f[${step.offset} + k] = 1;`)
    } else body.push(`    f[${step.offset}] = k >= 0 ? k : Double.NaN;`)
  })
  const locals = ['    double v;', '    String level;', '    int k;']
  const levelsHelper = [
    '  private static Map<String, Integer> levels(String[] levels, int[] codes) {',
    '    Map<String, Integer> m = new HashMap<>();',
    '    for (int i = 0; i < levels.length; i++) m.putIfAbsent(levels[i], codes[i]);',
    '    return m;',
    '  }',
  ]
  return [
    ...maps,
    ...(maps.length > 0 ? ['', ...levelsHelper, ''] : []),
    '  /** The fitted feature pipeline: reads each field of the record and writes the feature vector f (zeros on entry). */',
    '  @SuppressWarnings("unused")',
    '  private static void encode(Map<String, ?> record, double[] f) {',
    ...locals,
    ...body,
    '  }',
  ].join('\n')
}

function model(plan: ScorerPlan): string {
  const m = plan.model
  return m.kind === 'ensemble' ? ensemble(plan, m) : member(plan, m, '')
}

/** A single model's predictScores (named with prefix p, as are its arrays and helpers). */
function member(plan: ScorerPlan, m: MemberPlan, p: string): string {
  switch (m.kind) {
    case 'trees':
      return m.layout === 'readable' ? readableTrees(m, p) : compactTrees(m, p)
    case 'linear':
      return linear(plan, m, p)
    case 'mlp':
      return mlp(plan, m, p)
  }
}

/**
 * An ensemble: each member printed as a model of its own (prefix M<i>_) scoring a copy of its slice of f
 * into fresh zeros, then predictScores adds weight * member score to s (zeros on entry), member by member.
 */
function ensemble(plan: ScorerPlan, m: EnsemblePlan): string {
  const parts = m.members.map((x, i) =>
    [
      `  // ---- member ${i + 1} of ${m.members.length}: ${javaComment(x.modelId)} (${javaComment(x.family)}), weight ${num(x.weight)}, features f[${x.offset}..${x.offset + x.width - 1}]`,
      member({ ...plan, steps: x.steps, width: x.width, featureLabels: x.featureLabels, model: x.model }, x.model, `M${i}_`),
    ].join('\n'),
  )
  const combine = [
    '  // ---- the ensemble',
    sig('predictScores', `The ensemble of ${m.members.length} models: each member scores its slice of f, and s adds weight * its scores, member by member.`),
    '    double[] t;',
    ...m.members.flatMap((x, i) => [
      `    t = new double[${m.outputs}];`,
      `    M${i}_predictScores(java.util.Arrays.copyOfRange(f, ${x.offset}, ${x.offset + x.width}), t);`,
      `    for (int j = 0; j < ${m.outputs}; j++) s[j] = s[j] + ${num(x.weight)} * t[j];`,
    ]),
    '  }',
  ]
  return [...parts, combine.join('\n')].join('\n\n')
}

const sig = (name: string, doc: string): string => `  /** ${doc} */\n  private static void ${name}(double[] f, double[] s) {`

function readableTrees(m: Extract<TreeModelPlan, { layout: 'readable' }>, p: string): string {
  const leaf = (values: number[], indent: string): string =>
    `${indent}${values.map((v, j) => (m.count === 1 ? `s[${j}] = ${num(v)};` : `s[${j}] = s[${j}] + ${num(v)};`)).join(' ')}`
  const walk = (node: PlanTreeNode, indent: string): string[] => {
    if (node.leaf) return [leaf(node.values, indent)]
    const x = `f[${node.feature}]`
    const test = node.missingLeft ? `!(${x} > ${num(node.threshold)})` : `${x} <= ${num(node.threshold)}`
    return [`${indent}if (${test}) { // ${javaComment(node.text)}`, ...walk(node.left, indent + '  '), `${indent}} else {`, ...walk(node.right, indent + '  '), `${indent}}`]
  }
  if (m.count === 1) return [sig(`${p}predictScores`, "The decision tree: sets s to the leaf's values."), ...walk(m.trees[0], '    '), '  }'].join('\n')
  const trees = m.trees.map((t, i) => [sig(`${p}tree${i}`, `Tree ${i + 1} of ${m.count}: adds its leaf's values to s.`), ...walk(t, '    '), '  }'].join('\n'))
  const combine = [
    sig(`${p}predictScores`, `The forest: leaf values summed in tree order${m.average ? `, divided by ${m.count}` : ''}.`),
    ...m.trees.map((_, i) => `    ${p}tree${i}(f, s);`),
    ...(m.average ? [`    for (int j = 0; j < ${m.outputs}; j++) s[j] = s[j] / ${m.count};`] : []),
    '  }',
  ]
  return [...trees, combine.join('\n')].join('\n\n')
}

function compactTrees(m: CompactTreesPlan, p: string): string {
  return [
    `  // ${m.count} trees as flat arrays (packed text, decoded once), nodes of all trees concatenated; ROOT[t] is tree t's first node.`,
    '  // NODE: 3 ints per node. A split: feature * 2 + (1 if a missing value goes right), left child, right child.',
    "  // A leaf: 0, itself, where its values start in VALUE. A split goes left when f[feature] <= THRESHOLD.",
    packed(`${p}ROOT`, 'int', m.nodeStart.slice(0, -1)),
    packed(`${p}NODE`, 'int', m.node),
    packed(`${p}THRESHOLD`, 'double', m.threshold),
    packed(`${p}VALUE`, 'double', m.leafValues),
    '',
    sig(`${p}predictScores`, `Walks every tree to its leaf and adds the leaf values in tree order${m.average ? `, divided by ${m.count}` : ''}.`),
    `    for (int t = 0; t < ${m.count}; t++) {`,
    `      int n = ${p}ROOT[t];`,
    `      for (int left = ${p}NODE[3 * n + 1]; left != n; left = ${p}NODE[3 * n + 1]) {`,
    `        int c = ${p}NODE[3 * n];`,
    '        double x = f[c >> 1];',
    `        n = x <= ${p}THRESHOLD[n] ? left : x > ${p}THRESHOLD[n] || (c & 1) == 1 ? ${p}NODE[3 * n + 2] : left;`,
    '      }',
    `      int at = ${p}NODE[3 * n + 2];`,
    `      for (int j = 0; j < ${m.outputs}; j++) s[j] = s[j] + ${p}VALUE[at + j];`,
    '    }',
    ...(m.average ? [`    for (int j = 0; j < ${m.outputs}; j++) s[j] = s[j] / ${m.count};`] : []),
    '  }',
  ].join('\n')
}

function linkLines(link: 'identity' | 'logistic' | 'softmax', z: string): string[] {
  if (link === 'identity') return [`    s[0] = ${z};`]
  if (link === 'logistic') return [`    double p = sigmoid(${z});`, '    s[0] = 1 - p;', '    s[1] = p;']
  return ['    softmax(s);']
}

function unrolledDot(bias: number, weights: number[], input: (j: number) => string, label: (j: number) => string): string[] {
  return [`    z = ${num(bias)};`, ...weights.map((w, j) => `    z += ${num(w)} * ${input(j)}; // ${javaComment(label(j))}`)]
}

function linear(plan: ScorerPlan, m: LinearModelPlan, p: string): string {
  const rows = m.weights.length
  const title = `The linear model: z = intercept + sum of weight * feature, then the ${m.link} link.`
  if (m.layout === 'readable') {
    const body = ['    double z;']
    m.weights.forEach((w, c) => {
      body.push(...unrolledDot(m.intercepts[c], w, (j) => `f[${j}]`, (j) => JSON.stringify(plan.featureLabels[j])))
      if (m.link === 'softmax') body.push(`    s[${c}] = z;`)
    })
    body.push(...linkLines(m.link, 'z'))
    return [sig(`${p}predictScores`, title), ...body, '  }'].join('\n')
  }
  const d = m.inWidth
  const dot = (c: string, indent: string): string[] => [`${indent}double z = ${p}INTERCEPTS[${c}];`, `${indent}for (int j = 0; j < ${d}; j++) z += ${p}WEIGHTS[${c} * ${d} + j] * f[j];`]
  const body = m.link === 'softmax' ? [`    for (int c = 0; c < ${rows}; c++) {`, ...dot('c', '      '), '      s[c] = z;', '    }', '    softmax(s);'] : [...dot('0', '    '), ...linkLines(m.link, 'z')]
  return [`  // weights: ${rows} row(s) of ${d}, row-major`, packed(`${p}WEIGHTS`, 'double', m.weights.flat()), packed(`${p}INTERCEPTS`, 'double', m.intercepts), '', sig(`${p}predictScores`, title), ...body, '  }'].join('\n')
}

function activation(a: 'relu' | 'tanh' | 'identity', z: string): string {
  return a === 'relu' ? `${z} > 0 ? ${z} : 0` : a === 'tanh' ? `StrictMath.tanh(${z})` : z
}

function mlp(plan: ScorerPlan, m: MlpModelPlan, p: string): string {
  const last = m.layers.length - 1
  const scratch = m.layers.map((l, i) => `    double[] a${i} = new double[${l.biases.length}];`)
  const out = m.layers[last]
  const outputLines =
    m.output === 'identity'
      ? [`    s[0] = a${last}[0];`]
      : m.output === 'logistic'
        ? [`    double p = sigmoid(a${last}[0]);`, '    s[0] = 1 - p;', '    s[1] = p;']
        : [`    for (int j = 0; j < ${out.biases.length}; j++) s[j] = a${last}[j];`, '    softmax(s);']
  const title = `The neural net: each layer computes act(bias + sum of weight * input), then the ${m.output} output.`
  if (m.layout === 'readable') {
    const body = [...scratch, '    double z;']
    m.layers.forEach((layer, i) => {
      body.push(`    // layer ${i + 1}: ${layer.biases.length} units, ${layer.activation}`)
      layer.weights.forEach((w, u) => {
        body.push(...unrolledDot(layer.biases[u], w, (j) => (i === 0 ? `f[${j}]` : `a${i - 1}[${j}]`), (j) => (i === 0 ? JSON.stringify(plan.featureLabels[j]) : `unit ${j}`)))
        body.push(`    a${i}[${u}] = ${activation(layer.activation, 'z')};`)
      })
    })
    body.push(...outputLines)
    return [sig(`${p}predictScores`, title), ...body, '  }'].join('\n')
  }
  const arrays = m.layers.flatMap((l, i) => [`  // layer ${i + 1}: ${l.biases.length} units x ${l.inWidth} inputs, row-major`, packed(`${p}W${i}`, 'double', l.weights.flat()), packed(`${p}B${i}`, 'double', l.biases)])
  const body = [...scratch]
  m.layers.forEach((layer, i) => {
    body.push(
      `    for (int u = 0; u < ${layer.biases.length}; u++) {`,
      `      double z = ${p}B${i}[u];`,
      `      for (int j = 0; j < ${layer.inWidth}; j++) z += ${p}W${i}[u * ${layer.inWidth} + j] * ${i === 0 ? 'f[j]' : `a${i - 1}[j]`};`,
      `      a${i}[u] = ${activation(layer.activation, 'z')};`,
      '    }',
    )
  })
  body.push(...outputLines)
  return [...arrays, '', sig(`${p}predictScores`, title), ...body, '  }'].join('\n')
}
