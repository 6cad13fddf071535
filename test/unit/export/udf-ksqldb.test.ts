/**
 * `mlkafka export udf --target ksqldb`: Confluent's Maven repository is not reachable here, so the
 * generated UDF classes are compiled with javac against minimal stand-ins of the three annotation types
 * (test/fixtures/ksqldb-annotations/: same names, targets and retention), then called by reflection, as
 * ksqlDB does, and compared with the IR evaluator. The pom's coordinates are checked as text.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import type { Task } from '../../../src/data/target.js'
import { ksqldbProject, KSQLDB_VERSION } from '../../../src/export/udf/ksqldb.js'
import { writeScaffold } from '../../../src/export/udf/scaffold.js'
import { buildEnsemble } from '../../../src/ir/ensemble.js'
import { compileModel } from '../../../src/ir/evaluate.js'
import type { ModelIR } from '../../../src/ir/model.js'
import { fitModel } from '../../../src/learners/fit-model.js'
import { shutdownForestPool } from '../../../src/learners/forest-pool.js'
import { logisticRegression } from '../../../src/learners/linear.js'
import { mlp } from '../../../src/learners/mlp.js'
import { decisionTree, randomForest } from '../../../src/learners/trees.js'
import { REPO_ROOT } from '../../helpers/cli.js'
import { tempDir } from '../../helpers/files.js'
import { JAVA_HOSTILE_LEVELS, JAVA_HOSTILE_NAMES, mixedTable } from '../../helpers/scorer-parity.js'

const HOSTILE_NAMES = JAVA_HOSTILE_NAMES
const HOSTILE_LEVELS = JAVA_HOSTILE_LEVELS
const dir = tempDir('mlkafka-udf-ksqldb-')
const ANNOTATIONS = join(REPO_ROOT, 'test', 'fixtures', 'ksqldb-annotations')

/** Calls each UDF class's @Udf method with typed arguments read from lines (tab-separated: n:<num>|b:<bool>|s:<hex utf16>|null), prints results. */
const CALLER = `
import java.lang.reflect.*;
import java.nio.file.*;
import java.util.*;
import io.confluent.ksql.function.udf.*;

public class Caller {
  public static void main(String[] args) throws Exception {
    Class<?> k = Class.forName(args[0]);
    UdfDescription d = k.getAnnotation(UdfDescription.class);
    Method m = null;
    for (Method x : k.getMethods()) if (x.isAnnotationPresent(Udf.class)) m = x;
    StringBuilder out = new StringBuilder(d.name()).append('\\n');
    for (Parameter p : m.getParameters()) out.append(p.getAnnotation(UdfParameter.class).value()).append(' ');
    out.append('\\n');
    for (String line : Files.readAllLines(Paths.get(args[1]))) {
      String[] cells = line.split("\\t", -1);
      Object[] a = new Object[cells.length];
      for (int i = 0; i < cells.length; i++) {
        String c = cells[i];
        if (c.equals("null")) a[i] = null;
        else if (c.startsWith("n:")) a[i] = Double.parseDouble(c.substring(2));
        else if (c.startsWith("b:")) a[i] = Boolean.parseBoolean(c.substring(2));
        else { StringBuilder s = new StringBuilder(); for (int j = 2; j < c.length(); j += 4) s.append((char) Integer.parseInt(c.substring(j, j + 4), 16)); a[i] = s.toString(); }
      }
      Object r = m.invoke(k.getDeclaredConstructor().newInstance(), a);
      if (r instanceof Double) out.append(Long.toHexString(Double.doubleToLongBits((Double) r)));
      else if (r instanceof Map) { for (Object v : ((Map<?, ?>) r).values()) out.append(Long.toHexString(Double.doubleToLongBits((Double) v))).append(' '); }
      else { for (char ch : ((String) r).toCharArray()) out.append(String.format("%04x", (int) ch)); }
      out.append('\\n');
    }
    System.out.print(out);
  }
}
`
const hex16 = (s: string): string => [...s].map((c) => c.charCodeAt(0).toString(16).padStart(4, '0')).join('')
const bits = (x: number): string => (Number.isNaN(x) ? '7ff8000000000000' : new BigUint64Array(new Float64Array([x]).buffer)[0].toString(16))

afterAll(shutdownForestPool)

async function fit(task: Task, learner: { family: string; defaultParams(t: Task): object }, params: object, hostile: boolean): Promise<{ ir: ModelIR; rows: Record<string, unknown>[] }> {
  const data = mixedTable({ rows: 200, task, seed: 8, ...(hostile ? { names: HOSTILE_NAMES, levels: HOSTILE_LEVELS } : {}) })
  const train = Int32Array.from({ length: data.target.y.length }, (_, i) => i)
  const ir = await fitModel(learner as never, data.table, data.target, train, { ...learner.defaultParams(task), ...params }, { modelId: `${learner.family}-${task}`, seed: 2 })
  const rows = Array.from({ length: 60 }, (_, i) =>
    Object.fromEntries(
      data.table.columns
        .filter((c) => c.name !== data.target.name)
        // A date column (one that held ISO dates) is given as its ISO text: a ksqlDB STRING argument.
        .map((c) => [
          c.name,
          c.type === 'categorical'
            ? c.codes[i] < 0
              ? null
              : c.levels[c.codes[i]]
            : Number.isNaN(c.values[i])
              ? null
              : c.type === 'boolean'
                ? c.values[i] === 1
                : c.dateCells
                  ? new Date(c.values[i] * 86_400_000).toISOString().slice(0, 10)
                  : c.values[i],
        ]),
    ),
  )
  return { ir, rows }
}

describe('ksqldb scaffold', () => {
  it('UDF classes of a tree, a linear model, a forest, a net and an ensemble compile against the annotation stand-ins and score like the IR evaluator (hostile names included)', async () => {
    const cases = [
      { id: 'tree', ...(await fit('binary', decisionTree, { maxDepth: 4 }, true)), pkg: 'com.example.tree' },
      { id: 'linear', ...(await fit('regression', logisticRegression, {}, false)), pkg: 'com.example.linear' },
      { id: 'forest', ...(await fit('multiclass', randomForest, { nTrees: 12, workers: 1 }, false)), pkg: 'com.example.forest' },
      { id: 'net', ...(await fit('binary', mlp, { hidden: [8], epochs: 15 }, false)), pkg: 'com.example.net' },
    ]
    // An ensemble of a tree and a logistic regression on the net's table (same rows to score).
    const [tree, logistic] = [await fit('binary', decisionTree, { maxDepth: 3 }, false), await fit('binary', logisticRegression, {}, false)]
    cases.push({ id: 'ensemble', ir: buildEnsemble([{ ir: tree.ir, weight: 2 / 3 }, { ir: logistic.ir, weight: 1 / 3 }], 'ensemble_1'), rows: tree.rows, pkg: 'com.example.ensemble' })
    const sources: string[] = []
    const projects: Awaited<ReturnType<typeof ksqldbProject>>[] = []
    for (const c of cases) {
      const project = await ksqldbProject(c.ir, { packageName: c.pkg, name: c.id === 'tree' ? 'Failure' : undefined, now: new Date('2026-01-01T00:00:00Z') })
      await writeScaffold(join(dir, c.id), project.files)
      sources.push(...project.files.filter((f) => f.path.endsWith('.java')).map((f) => join(dir, c.id, f.path)))
      projects.push(project)
      const pom = readFileSync(join(dir, c.id, 'pom.xml'), 'utf8')
      expect(pom).toContain('<groupId>io.confluent.ksql</groupId>')
      expect(pom).toContain('<artifactId>ksqldb-udf</artifactId>')
      expect(pom).toContain(`<ksqldb.version>${KSQLDB_VERSION}</ksqldb.version>`)
      expect(pom).toMatch(/<scope>provided<\/scope>/)
      expect(pom).toContain('https://packages.confluent.io/maven/')
      const readme = readFileSync(join(dir, c.id, 'README.md'), 'utf8')
      expect(readme).toContain('ksql.extension.dir')
      expect(readme).toContain('CREATE STREAM')
      // Code spans show their text as written: no markdown escapes in model ids and argument names.
      expect(readme).toContain(`from model \`${c.ir.modelId}\``)
      expect(readme).not.toMatch(/`[^`\n]*\\[^`\n]*`/)
    }
    const annotations = ['UdfDescription', 'Udf', 'UdfParameter'].map((n) => join(ANNOTATIONS, 'io', 'confluent', 'ksql', 'function', 'udf', `${n}.java`))
    writeFileSync(join(dir, 'Caller.java'), CALLER)
    const javac = spawnSync('javac', ['-encoding', 'UTF-8', '-parameters', '-d', join(dir, 'classes'), ...annotations, ...sources, join(dir, 'Caller.java')], { encoding: 'utf8' })
    expect(javac.stdout + javac.stderr).toBe('')
    cases.forEach((c, ci) => {
      const model = compileModel(c.ir)
      const lines = c.rows.map((r) => c.ir.input.columns.map((col) => (r[col.name] === null ? 'null' : col.type === 'categorical' || col.isoDates ? `s:${hex16(r[col.name] as string)}` : col.type === 'boolean' ? `b:${r[col.name]}` : `n:${r[col.name]}`)).join('\t'))
      writeFileSync(join(dir, `${c.id}.in`), lines.join('\n') + '\n')
      const classes = projects[ci].files.filter((f) => f.path.endsWith('Udf.java')).map((f) => `${c.pkg}.${f.path.split('/').pop()!.replace('.java', '')}`)
      expect(classes).toHaveLength(2)
      for (const cls of classes) {
        const run = spawnSync('java', ['-cp', join(dir, 'classes'), 'Caller', cls, join(dir, `${c.id}.in`)], { encoding: 'utf8' })
        expect(run.status, run.stderr).toBe(0)
        const [name, params, ...results] = run.stdout.trimEnd().split('\n')
        expect(name).toMatch(/^[a-z][a-z0-9_]*$/)
        expect(params.trim().split(' ')).toHaveLength(c.ir.input.columns.length)
        c.rows.forEach((r, i) => {
          const p = model.predictRecord(r)
          if ('value' in p) expect(results[i]).toBe(bits(p.value))
          else if (cls.endsWith('ScoresUdf')) expect(results[i].trim()).toBe(p.probabilities.map(bits).join(' '))
          else expect(results[i]).toBe(hex16(p.label))
        })
      }
    })
  }, 60_000)
})
