/**
 * The Java scorer (`src/export/java/`) against the IR evaluator: every family x task in both layouts,
 * plus hostile names, compiled in one javac run and run by a small Java harness in one JVM. Records go to
 * Java as JSON lines (with NaN, Infinity and -0 spelled out); scores come back as the hex bits of each
 * double, so trees and linear models compare to the bit (nets within 1e-9 relative) and errors compare
 * by field and message. Also: a 500-tree forest compiles (javac time printed).
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Task } from '../../../src/data/target.js'
import { exportJavaScorer } from '../../../src/export/java/scorer.js'
import type { Layout } from '../../../src/export/layout.js'
import { compileModel } from '../../../src/ir/evaluate.js'
import type { FlatTree, ModelIR } from '../../../src/ir/model.js'
import { shutdownForestPool } from '../../../src/learners/forest-pool.js'
import { logisticRegression } from '../../../src/learners/linear.js'
import { Random } from '../../../src/learners/random.js'
import { decisionTree } from '../../../src/learners/trees.js'
import { tempDir } from '../../helpers/files.js'
import { overflowingModel } from '../../helpers/ir-fixtures.js'
import { NO_SCORE } from '../../../src/export/record-rules.js'
import { edgeRecords, fitOnAllRows, JAVA_HOSTILE_LEVELS, JAVA_HOSTILE_NAMES, mixedTable, parityModels, recordsFromTable, type RawRecord } from '../../helpers/scorer-parity.js'

/** Hostile texts: quotes, backslashes, Java unicode escapes, `*\/`, Java keywords, surrogates, NUL. */

const HOSTILE_LEVELS = ['42', '0', '1.5', ...JAVA_HOSTILE_LEVELS]
const HOSTILE_CLASSES: Record<Task, string[] | undefined> = {
  binary: ['no*/', 'yes\\"\n'],
  multiclass: ['\\u000a', '\u2029 c*/', 'new'],
  regression: undefined,
}

const dir = tempDir('mlkafka-java-parity-')
const TASKS: Task[] = ['binary', 'multiclass', 'regression']
const LAYOUTS: Layout[] = ['readable', 'compact']

/** Reads JSON lines (plus NaN, Infinity, -Infinity) into Maps, Lists, Doubles, Strings, Booleans; scores each with every class named. */
const HARNESS = `
import java.io.*;
import java.lang.reflect.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;

public class Harness {
  private final String s; private int i;
  Harness(String s) { this.s = s; }
  Object value() {
    char c = s.charAt(i);
    if (c == '{') { i++; Map<String, Object> m = new LinkedHashMap<>(); if (s.charAt(i) == '}') { i++; return m; }
      while (true) { String k = str(); i++; m.put(k, value()); if (s.charAt(i++) == '}') return m; } }
    if (c == '[') { i++; List<Object> l = new ArrayList<>(); if (s.charAt(i) == ']') { i++; return l; }
      while (true) { l.add(value()); if (s.charAt(i++) == ']') return l; } }
    if (c == '"') return str();
    if (s.startsWith("true", i)) { i += 4; return Boolean.TRUE; }
    if (s.startsWith("false", i)) { i += 5; return Boolean.FALSE; }
    if (s.startsWith("null", i)) { i += 4; return null; }
    int start = i; while (i < s.length() && ",}]".indexOf(s.charAt(i)) < 0) i++;
    return Double.parseDouble(s.substring(start, i));
  }
  String str() {
    StringBuilder b = new StringBuilder(); i++;
    while (true) { char c = s.charAt(i++);
      if (c == '"') return b.toString();
      if (c != '\\\\') { b.append(c); continue; }
      char e = s.charAt(i++);
      switch (e) { case 'n': b.append('\\n'); break; case 'r': b.append('\\r'); break; case 't': b.append('\\t'); break;
        case 'b': b.append('\\b'); break; case 'f': b.append('\\f'); break;
        case 'u': b.append((char) Integer.parseInt(s.substring(i, i + 4), 16)); i += 4; break; default: b.append(e); } }
  }
  static String esc(String s) { StringBuilder b = new StringBuilder(); for (char c : s.toCharArray()) b.append(String.format("%04x", (int) c)); return b.toString(); }
  public static void main(String[] args) throws Exception {
    if (args[0].equals("--jsnumber")) {
      Method m = Class.forName(args[1]).getDeclaredMethod("jsNumber", double.class);
      m.setAccessible(true);
      StringBuilder out = new StringBuilder();
      for (String line : Files.readAllLines(Paths.get(args[2]))) out.append(m.invoke(null, Double.longBitsToDouble(Long.parseUnsignedLong(line, 16)))).append('\\n');
      System.out.print(out);
      return;
    }
    for (int a = 0; a + 2 < args.length; a += 3) {
      Class<?> k = Class.forName(args[a]);
      Method score = k.getMethod("score", Map.class), predict = k.getMethod("predict", Map.class), scoreValues = k.getMethod("scoreValues", Object[].class);
      StringBuilder out = new StringBuilder();
      for (String line : Files.readAllLines(Paths.get(args[a + 1]), StandardCharsets.UTF_8)) {
        Object rec = new Harness(line).value();
        try {
          double[] sc = (double[]) score.invoke(null, rec);
          // scoreValues (the positional overload) gives the same scores, bit for bit.
          @SuppressWarnings("unchecked") List<String> fields = (List<String>) k.getField("FIELDS").get(null);
          Object[] values = new Object[fields.size()];
          for (int f = 0; f < values.length; f++) values[f] = ((Map<?, ?>) rec).get(fields.get(f));
          out.append(Arrays.equals(sc, (double[]) scoreValues.invoke(null, (Object) values)) ? "ok" : "ok-but-scoreValues-differs");
          for (double d : sc) out.append(' ').append(Long.toHexString(Double.doubleToLongBits(d)));
          out.append(' ').append(esc((String) predict.invoke(null, rec))).append('\\n');
        } catch (InvocationTargetException x) {
          Throwable t = x.getCause();
          String field = (String) t.getClass().getMethod("getField").invoke(t);
          // No field (~): the model gives no number for the record.
          out.append("err ").append(t.getClass().getSimpleName()).append(' ').append(field == null ? "~" : esc(field)).append(' ').append(esc(t.getMessage())).append('\\n');
        }
      }
      Files.write(Paths.get(args[a + 2]), out.toString().getBytes(StandardCharsets.UTF_8));
    }
  }
}
`

/** A record as one line of JSON with NaN, Infinity and -0 kept (JSON.stringify would lose them). */
function recordLine(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(recordLine).join(',')}]`
  const entries = Object.entries(value as object).filter(([, v]) => v !== undefined)
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${recordLine(v)}`).join(',')}}`
}

const unhex = (s: string): string => String.fromCharCode(...(s.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16)))
function bitsOf(x: number): string {
  if (Number.isNaN(x)) return '7ff8000000000000'
  return new BigUint64Array(new Float64Array([x]).buffer)[0].toString(16)
}
const fromBits = (h: string): number => new Float64Array(new BigUint64Array([BigInt(`0x${h}`)]).buffer)[0]

function expectedLine(model: ReturnType<typeof compileModel>, record: RawRecord): { ok: boolean; scores?: number[]; label?: string; field?: string | null; message?: string } {
  try {
    const p = model.predictRecord(record)
    return 'value' in p ? { ok: true, scores: [p.value], label: String(p.value) } : { ok: true, scores: p.probabilities, label: p.label }
  } catch (err) {
    const e = err as Error & { field: string | null }
    return { ok: false, field: e.field, message: e.message }
  }
}

interface Case {
  id: string
  ir: ModelIR
  records: RawRecord[]
  relTol: number
  layout: Layout
  className: string
}
const cases: Case[] = []
let javacMs = 0
let forestJavacMs = 0
const results = new Map<string, string[]>()

async function fitCases(task: Task, hostile: boolean): Promise<void> {
  const data = hostile
    ? mixedTable({ rows: 240, task, seed: 3, names: JAVA_HOSTILE_NAMES, levels: HOSTILE_LEVELS, classes: HOSTILE_CLASSES[task], oddTexts: { numeric: ['*/ close', '\\u0022', '"quoted"'], boolean: ['back\\slash'] } })
    : mixedTable({ rows: 300, task, seed: task.length })
  const modelId = (id: string): string => (hostile ? `m*/\\u000a"${id}` : `${id}-${task}`)
  const models: [string, ModelIR, number][] = hostile
    ? [
        ['tree', await fitOnAllRows(data, decisionTree, { maxDepth: 4 }, modelId('tree')), 0],
        ['logistic', await fitOnAllRows(data, logisticRegression, {}, modelId('logistic')), 0],
      ]
    : await parityModels(data, modelId)
  const fromTable = recordsFromTable(data.table, data.target.name)
  for (const [id, ir, relTol] of models) {
    const records = [...fromTable, ...edgeRecords(ir, data.table, hostile ? 600 : 1500, 11)]
    for (const layout of LAYOUTS) {
      const name = `${hostile ? 'hostile-' : ''}${id}-${task}-${layout}`
      cases.push({ id: name, ir, records, relTol, layout, className: `S_${name.replace(/-/g, '_')}` })
    }
  }
}

/** A synthetic forest of `n` full trees of the given depth over `width` features (no fitting needed). */
export function syntheticForest(n: number, depth: number, outputs: number, seed: number): ModelIR {
  const random = new Random(seed)
  const trees: FlatTree[] = []
  for (let t = 0; t < n; t++) {
    const tree: FlatTree = { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [] }
    const build = (d: number): number => {
      const id = tree.feature.length
      tree.feature.push(-1)
      tree.threshold.push(0)
      tree.left.push(-1)
      tree.right.push(-1)
      tree.missingLeft.push(0)
      for (let j = 0; j < outputs; j++) tree.value.push(random.next())
      if (d < depth) {
        tree.feature[id] = random.int(4)
        tree.threshold[id] = random.normal()
        tree.missingLeft[id] = random.int(2)
        tree.left[id] = build(d + 1)
        tree.right[id] = build(d + 1)
      }
      return id
    }
    build(0)
    trees.push(tree)
  }
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: 'forest-500',
    family: 'random_forest',
    params: {},
    input: { columns: ['a', 'b', 'c', 'd'].map((name) => ({ name, type: 'numeric' as const })) },
    target: { name: 'y', task: 'multiclass', classes: Array.from({ length: outputs }, (_, i) => `c${i}`) },
    features: { encoding: 'tree', steps: ['a', 'b', 'c', 'd'].map((column) => ({ kind: 'raw' as const, column })), width: 4 },
    model: { type: 'trees', combine: 'average', outputs, trees },
  }
}

beforeAll(async () => {
  for (const task of TASKS) {
    await fitCases(task, false)
    await fitCases(task, true)
  }
  const src = join(dir, 'src')
  mkdirSync(src, { recursive: true })
  const files: string[] = []
  for (const c of cases) {
    const { code } = exportJavaScorer(c.ir, { className: c.className, layout: c.layout, now: new Date('2026-01-01T00:00:00Z') })
    files.push(join(src, `${c.className}.java`))
    writeFileSync(files.at(-1)!, code)
    writeFileSync(join(dir, `${c.className}.in`), c.records.map(recordLine).join('\n') + '\n')
  }
  writeFileSync(join(src, 'Harness.java'), HARNESS)
  files.push(join(src, 'Harness.java'))
  const t0 = performance.now()
  const javac = spawnSync('javac', ['-encoding', 'UTF-8', '-nowarn', '-d', join(dir, 'classes'), ...files], { encoding: 'utf8' })
  javacMs = performance.now() - t0
  if (javac.status !== 0) throw new Error(`javac failed:\n${(javac.stdout + javac.stderr).slice(0, 4000)}`)
  const args = cases.flatMap((c) => [c.className, join(dir, `${c.className}.in`), join(dir, `${c.className}.out`)])
  const java = spawnSync('java', ['-cp', join(dir, 'classes'), 'Harness', ...args], { encoding: 'utf8' })
  if (java.status !== 0) throw new Error(`java harness failed:\n${(java.stdout + java.stderr).slice(0, 4000)}`)
  for (const c of cases) results.set(c.id, readFileSync(join(dir, `${c.className}.out`), 'utf8').split('\n').slice(0, -1))
  console.log(`java parity: ${cases.length} Java scorers compiled in one javac run (${Math.round(javacMs)} ms)`)
}, 240_000)

afterAll(shutdownForestPool)

function sameNumber(a: number, b: number, relTol: number): boolean {
  if (Object.is(a, b)) return true
  if (relTol === 0 || !Number.isFinite(a) || !Number.isFinite(b)) return false
  return Math.abs(a - b) <= relTol * Math.max(Math.abs(a), Math.abs(b))
}

describe('generated Java scorers match the IR evaluator', () => {
  it('compiles every case in one javac run', () => {
    expect(cases.length).toBe(TASKS.length * (8 + 2) * 2)
  })

  for (const task of TASKS) {
    for (const family of ['tree-small', 'tree-deep', 'forest', 'logistic', 'mlp', 'mlp-relu', 'ensemble', 'hostile-tree', 'hostile-logistic']) {
      it(`${family} ${task}: both layouts`, () => {
        for (const layout of LAYOUTS) {
          const c = cases.find((x) => x.id === `${family}-${task}-${layout}`)!
          const model = compileModel(c.ir)
          const lines = results.get(c.id)!
          expect(lines.length).toBe(c.records.length)
          const mismatches: unknown[] = []
          let scored = 0
          let threw = 0
          let exact = 0
          c.records.forEach((record, i) => {
            const want = expectedLine(model, record)
            const got = lines[i].split(' ')
            let same: boolean
            if (want.ok) {
              scored++
              const scores = got.slice(1, -1).map(fromBits)
              same = got[0] === 'ok' && scores.length === want.scores!.length && scores.every((s, j) => sameNumber(s, want.scores![j], c.relTol))
              const bitExact = got.slice(1, -1).join() === want.scores!.map(bitsOf).join()
              if (bitExact) exact++
              if (same && c.relTol === 0) same = bitExact
              // A net's label may differ only where its probabilities tie within the tolerance; regression labels are the value's text.
              if (same && c.ir.target.task !== 'regression') same = unhex(got.at(-1)!) === want.label
              if (same && c.ir.target.task === 'regression' && c.relTol === 0) same = unhex(got.at(-1)!) === want.label
            } else {
              threw++
              same = got[0] === 'err' && got[1] === 'ScoringException' && (got[2] === '~' ? null : unhex(got[2])) === want.field && unhex(got[3]) === want.message
            }
            if (!same && mismatches.length < 5) mismatches.push({ record: recordLine(record), want, got: lines[i] })
          })
          expect(mismatches, `${c.id}`).toEqual([])
          expect(scored).toBeGreaterThan(c.records.length / 2)
          expect(threw).toBeGreaterThan(20)
          // StrictMath.exp/tanh are fdlibm, as V8's Math.exp/tanh: nets match to the bit too (the 1e-9 is headroom).
          if (c.relTol > 0) console.log(`${c.id}: ${exact} of ${scored} scored records bit-exact`)
        }
      })
    }
  }

  it('a record the model gives no number for, or a null record, throws ScoringException with no field and the evaluator\'s message', () => {
    const className = 'S_overflow'
    writeFileSync(join(dir, 'src', `${className}.java`), exportJavaScorer(overflowingModel(), { className, layout: 'readable' }).code)
    const javac = spawnSync('javac', ['-encoding', 'UTF-8', '-nowarn', '-cp', join(dir, 'classes'), '-d', join(dir, 'classes'), join(dir, 'src', `${className}.java`)], { encoding: 'utf8' })
    expect(javac.status, javac.stderr).toBe(0)
    writeFileSync(join(dir, 'overflow.in'), '{"__proto__":1,"b":1}\n{"__proto__":1e10,"b":-1e10}\nnull\n')
    const java = spawnSync('java', ['-cp', join(dir, 'classes'), 'Harness', className, join(dir, 'overflow.in'), join(dir, 'overflow.out')], { encoding: 'utf8' })
    expect(java.status, java.stderr).toBe(0)
    const [scored, unscored, noRecord] = readFileSync(join(dir, 'overflow.out'), 'utf8').split('\n')
    expect(scored).toMatch(/^ok /)
    const got = unscored.split(' ')
    expect([got[0], got[1], got[2], unhex(got[3])]).toEqual(['err', 'ScoringException', '~', NO_SCORE])
    const none = noRecord.split(' ')
    expect([none[0], none[1], none[2], unhex(none[3])]).toEqual(['err', 'ScoringException', '~', 'expected a record (an object of field values), got null'])
    expect(() => compileModel(overflowingModel()).predictRecord(null as never)).toThrow('expected a record (an object of field values), got null')
  })

  it('a field that holds a Map or List containing itself is shown as JavaScript shows it, in a ScoringException (it had overflowed the stack)', () => {
    const className = 'S_overflow'
    const probe = `
import java.util.*;
public class CycleProbe {
  public static void main(String[] args) throws Exception {
    Map<String, Object> map = new HashMap<>();
    map.put("self", map);
    List<Object> list = new ArrayList<>();
    list.add(list);
    // Shared, but no cycle: shown as JSON.
    List<Object> twice = new ArrayList<>();
    Map<String, Object> shared = new HashMap<>();
    twice.add(shared);
    twice.add(shared);
    for (Object value : new Object[] { map, list, twice }) {
      Map<String, Object> record = new HashMap<>();
      record.put("__proto__", 1.0);
      record.put("b", value);
      try {
        Class.forName(args[0]).getMethod("score", Map.class).invoke(null, record);
        System.out.println("ok");
      } catch (java.lang.reflect.InvocationTargetException x) {
        System.out.println(x.getCause().getClass().getSimpleName() + ": " + x.getCause().getMessage());
      }
    }
  }
}
`
    writeFileSync(join(dir, 'src', `${className}.java`), exportJavaScorer(overflowingModel(), { className, layout: 'readable' }).code)
    writeFileSync(join(dir, 'src', 'CycleProbe.java'), probe)
    const javac = spawnSync('javac', ['-encoding', 'UTF-8', '-nowarn', '-cp', join(dir, 'classes'), '-d', join(dir, 'classes'), join(dir, 'src', `${className}.java`), join(dir, 'src', 'CycleProbe.java')], { encoding: 'utf8' })
    expect(javac.status, javac.stderr).toBe(0)
    const java = spawnSync('java', ['-cp', join(dir, 'classes'), 'CycleProbe', className], { encoding: 'utf8' })
    expect(java.status, java.stderr).toBe(0)
    const evaluator = compileModel(overflowingModel())
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    const selfList: unknown[] = []
    selfList.push(selfList)
    const shared = {}
    const messages = [cycle, selfList, [shared, shared]].map((b) => {
      try {
        evaluator.predictRecord({ __proto__: 1, b } as never)
        return 'ok'
      } catch (err) {
        return `ScoringException: ${(err as Error).message}`
      }
    })
    expect(messages).toEqual([
      'ScoringException: field "b": expected a number, got [object Object]',
      'ScoringException: field "b": expected a number, got [object Array]',
      'ScoringException: field "b": expected a number, got [{},{}]',
    ])
    expect(java.stdout.trimEnd().split('\n')).toEqual(messages)
  })

  it("numbers given for a category read as JavaScript's String(n) in Java too (jsNumber)", () => {
    const random = new Random(12)
    const values = [0, -0, 1, -1, 42, 0.1, 1.5, 1e21, 1e20, 123456789012345680000, 1e-6, 1e-7, 1.5e-7, 5e-324, Number.MAX_VALUE, -Number.MIN_VALUE, 2 ** 53, 2 ** 53 + 2, 0.000001234, 1 / 3, NaN, Infinity, -Infinity]
    const bits = new BigUint64Array(1)
    const asDouble = new Float64Array(bits.buffer)
    for (let i = 0; i < 3000; i++) {
      bits[0] = (BigInt(Math.floor(random.next() * 2 ** 32)) << 32n) | BigInt(Math.floor(random.next() * 2 ** 32))
      values.push(asDouble[0], random.normal() * 10 ** random.int(30), Math.round(random.normal() * 1e6) / 1e3)
    }
    writeFileSync(join(dir, 'numbers.in'), values.map((v) => bitsOf(v)).join('\n') + '\n')
    const java = spawnSync('java', ['-cp', join(dir, 'classes'), 'Harness', '--jsnumber', cases[0].className, join(dir, 'numbers.in')], { encoding: 'utf8', maxBuffer: 1 << 26 })
    expect(java.status, java.stderr).toBe(0)
    const got = java.stdout.split('\n').slice(0, -1)
    const wrong = values.map((v, i) => [String(v), got[i]]).filter(([a, b]) => a !== b)
    expect(wrong.slice(0, 5)).toEqual([])
    expect(got).toHaveLength(values.length)
  })

  it('a single tree at the Java cap prints as nested ifs and compiles (no method over 64 KB); one leaf more prints as arrays', () => {
    const balancedTree = (leaves: number): FlatTree => {
      const t: FlatTree = { feature: [], threshold: [], left: [], right: [], missingLeft: [], value: [] }
      const random = new Random(3)
      const build = (n: number): number => {
        const id = t.feature.length
        t.feature.push(-1)
        t.threshold.push(0)
        t.left.push(-1)
        t.right.push(-1)
        t.missingLeft.push(0)
        t.value.push(random.normal())
        if (n > 1) {
          t.feature[id] = random.int(4)
          t.threshold[id] = random.normal()
          t.left[id] = build(n >> 1)
          t.right[id] = build(n - (n >> 1))
        }
        return id
      }
      build(leaves)
      return t
    }
    const base = syntheticForest(1, 0, 1, 9)
    const single = (t: FlatTree): ModelIR => ({ ...base, target: { name: 'y', task: 'regression' }, model: { type: 'trees', combine: 'single', outputs: 1, trees: [t] } })
    // 1000 leaves + 999 splits = 1999 units, depth 10: the most JAVA_SINGLE_TREE_MAX_UNITS (2000) allows.
    const { code, plan } = exportJavaScorer(single(balancedTree(1000)), { className: 'BigTree' })
    expect(plan.layout).toBe('readable')
    expect(exportJavaScorer(single(balancedTree(1001)), { className: 'BigTree' }).plan.layout).toBe('compact')
    const out = join(dir, 'bigtree')
    mkdirSync(out, { recursive: true })
    writeFileSync(join(out, 'BigTree.java'), code)
    const javac = spawnSync('javac', ['-encoding', 'UTF-8', '-d', out, join(out, 'BigTree.java')], { encoding: 'utf8' })
    expect(javac.stdout + javac.stderr).toBe('')
  })

  it('a 500-tree forest compiles (packed arrays, no method over 64 KB) and scores like the evaluator', () => {
    const ir = syntheticForest(500, 8, 3, 42)
    const out = join(dir, 'forest')
    mkdirSync(out, { recursive: true })
    const { code, plan } = exportJavaScorer(ir, { className: 'Forest500' })
    expect(plan.layout).toBe('compact')
    writeFileSync(join(out, 'Forest500.java'), code)
    const t0 = performance.now()
    const javac = spawnSync('javac', ['-encoding', 'UTF-8', '-cp', join(dir, 'classes'), '-d', out, join(out, 'Forest500.java')], { encoding: 'utf8' })
    forestJavacMs = performance.now() - t0
    expect(javac.stdout + javac.stderr).toBe('')
    const random = new Random(5)
    const records = Array.from({ length: 200 }, () => ({ a: random.normal(), b: random.next() < 0.1 ? null : random.normal(), c: String(random.normal()), d: random.normal() }))
    writeFileSync(join(out, 'in'), records.map(recordLine).join('\n') + '\n')
    const java = spawnSync('java', ['-cp', `${out}:${join(dir, 'classes')}`, 'Harness', 'Forest500', join(out, 'in'), join(out, 'out')], { encoding: 'utf8' })
    expect(java.status, java.stderr).toBe(0)
    const lines = readFileSync(join(out, 'out'), 'utf8').split('\n')
    const model = compileModel(ir)
    records.forEach((r, i) => {
      const p = model.predictRecord(r) as { probabilities: number[] }
      expect(lines[i].split(' ').slice(1, -1)).toEqual(p.probabilities.map(bitsOf))
    })
    console.log(`java: 500-tree forest (${plan.layoutText}): ${(code.length / 1024 / 1024).toFixed(1)} MB of source, javac ${Math.round(forestJavacMs)} ms`)
  }, 120_000)
})
