/**
 * `mlkafka export udf --target ksqldb`: a Maven project with the Java scorer and two ksqlDB functions
 * (templates/ksqldb/): PREDICT_<NAME>(columns...) gives the prediction, <NAME>_PROBABILITIES(...) the
 * probabilities as a MAP (SCORE_<NAME> for regression: the value). Arguments are the model's input
 * columns, typed (DOUBLE, BOOLEAN, STRING) and null-safe: NULL is a missing value.
 */
import { UserError } from '../../errors.js'
import type { ModelIR } from '../../ir/model.js'
import { javaString } from '../java/literals.js'
import { exportJavaScorer } from '../java/scorer.js'
import type { PlanField } from '../scorer-plan.js'
import { artifactIdOf, fieldKind, fieldKindText, fillTemplate, codeSpanText, firstFew, markdownText, readTemplate, type Scaffold, type ScaffoldFile, type UdfOptions } from './scaffold.js'

/** ksqlDB's UDF API (io.confluent.ksql:ksqldb-udf, Confluent's Maven repository). */
export const KSQLDB_VERSION = '7.9.0'
/** Java methods take at most 255 parameters. */
const MAX_ARGUMENTS = 254

/** A date column's argument is text (an ISO date or date-time), which the scorer reads as its days since 1970-01-01. */
const JAVA_TYPE = { numeric: 'Double', boolean: 'Boolean', categorical: 'String', date: 'String' } as const
const SQL_TYPE = { numeric: 'DOUBLE', boolean: 'BOOLEAN', categorical: 'STRING', date: 'STRING' } as const

function snake(s: string): string {
  const out = s
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase()
  return /^[a-z]/.test(out) ? out : `f_${out}`
}

/** ksqlDB argument names: the column in snake case, made unique. */
function argumentNames(fields: PlanField[]): string[] {
  const seen = new Set<string>()
  return fields.map((f) => {
    let name = snake(f.name)
    for (let i = 2; seen.has(name); i++) name = `${snake(f.name)}_${i}`
    seen.add(name)
    return name
  })
}

const sqlIdentifier = (name: string): string => `\`${name.replace(/`/g, '``')}\``

export async function ksqldbProject(ir: ModelIR, options: UdfOptions): Promise<Scaffold> {
  const scorer = exportJavaScorer(ir, { className: options.name === undefined ? undefined : `${options.name}Scorer`, packageName: options.packageName, source: options.source, now: options.now })
  const { plan, className, packageName } = scorer
  if (plan.fields.length > MAX_ARGUMENTS) throw new UserError(`the model reads ${plan.fields.length} fields; a ksqlDB function (a Java method) takes at most ${MAX_ARGUMENTS}: use --target kafka-streams`)
  const base = className.replace(/Scorer$/, '') || 'Model'
  const fn = snake(base)
  const artifactId = `${artifactIdOf(className)}-ksqldb-udf`
  const pkgPath = packageName ? `${packageName.split('.').join('/')}/` : ''
  const packageLine = packageName ? `package ${packageName};\n` : ''
  const args = argumentNames(plan.fields)
  const parameters = plan.fields
    .map((f, i) => `      @UdfParameter(value = ${javaString(args[i])}, description = ${javaString(`${JSON.stringify(f.name)} (${fieldKindText(f)}); NULL is a missing value`)}) final ${JAVA_TYPE[fieldKind(f)]} a${i}`)
    .join(',\n')
  const puts = plan.fields.map((f, i) => `    record.put(${javaString(f.name)}, a${i});`).join('\n')
  const regression = plan.classes === null
  const predictName = `predict_${fn}`
  const scoresName = regression ? `score_${fn}` : `${fn}_probabilities`
  const udf = async (cls: string, name: string, method: string, returnType: string, returnExpr: string, doc: string): Promise<ScaffoldFile> => ({
    path: `src/main/java/${pkgPath}${cls}.java`,
    content: fillTemplate(
      await readTemplate('ksqldb', 'src/main/java/PredictUdf.java'),
      {
        PACKAGE_LINE: packageLine,
        FUNCTION_NAME: name.toUpperCase(),
        FUNCTION_NAME_LITERAL: javaString(name),
        DESCRIPTION_LITERAL: javaString(`${doc} Model ${plan.modelId} (${plan.family}), exported by mlkafka.`),
        UDF_DESCRIPTION_LITERAL: javaString(doc),
        SCORER_CLASS: className,
        CLASS_NAME: cls,
        RETURN_TYPE: returnType,
        METHOD_NAME: method,
        PARAMETERS: parameters,
        RECORD_PUTS: puts,
        RETURN_EXPR: returnExpr,
      },
      'ksqldb/PredictUdf.java',
    ),
  })
  const probabilities = [
    'probabilities(',
    `        ${className}.score(record))`,
  ].join('\n')
  const files: ScaffoldFile[] = [
    {
      path: 'pom.xml',
      content: fillTemplate(await readTemplate('ksqldb', 'pom.xml'), { GROUP_ID: packageName || 'mlkafka.generated', ARTIFACT_ID: artifactId, KSQLDB_VERSION }, 'ksqldb/pom.xml'),
    },
    { path: `src/main/java/${scorer.path}`, content: scorer.code },
    await udf(`Predict${base}Udf`, predictName, 'predict', regression ? 'Double' : 'String', regression ? `${className}.score(record)[0]` : `${className}.predict(record)`, regression ? `The predicted ${JSON.stringify(plan.target)}.` : `The most probable ${JSON.stringify(plan.target)}.`),
    await udf(
      `${base}ScoresUdf`,
      scoresName,
      regression ? 'score' : 'probabilities',
      regression ? 'Double' : 'Map<String, Double>',
      regression ? `${className}.score(record)[0]` : probabilities,
      regression ? `The predicted ${JSON.stringify(plan.target)} (same as ${predictName}).` : 'The probability of each class.',
    ),
  ]
  if (!regression) {
    // The MAP UDF needs a helper to pair classes with scores.
    const last = files[files.length - 1]
    last.content = last.content.replace(
      /\n}\n$/,
      [
        '',
        '',
        '  private static Map<String, Double> probabilities(double[] scores) {',
        '    Map<String, Double> out = new java.util.LinkedHashMap<>();',
        `    for (int i = 0; i < scores.length; i++) out.put(${className}.CLASSES.get(i), scores[i]);`,
        '    return out;',
        '  }',
        '}',
        '',
      ].join('\n'),
    )
  }
  const argsSql = plan.fields.map((f) => sqlIdentifier(f.name)).join(', ')
  files.push({
    path: 'README.md',
    content: fillTemplate(
      await readTemplate('ksqldb', 'README.md'),
      {
        ARTIFACT_ID: artifactId,
        TARGET_TEXT: markdownText(JSON.stringify(plan.target)),
        MODEL_ID_TEXT: codeSpanText(plan.modelId),
        FAMILY_TEXT: markdownText(plan.family),
        PREDICT_FUNCTION: predictName.toUpperCase(),
        PREDICT_FUNCTION_UPPER: predictName.toUpperCase(),
        SCORES_FUNCTION: scoresName.toUpperCase(),
        SCORES_FUNCTION_UPPER: scoresName.toUpperCase(),
        SCORES_COLUMN: regression ? 'score' : 'probabilities',
        ARGS_TEXT: codeSpanText(args.join(', ')),
        PREDICT_RETURNS: regression ? 'the predicted value (DOUBLE)' : `the most probable class (STRING: ${markdownText(firstFew(plan.classes!.map((c) => JSON.stringify(c))))})`,
        SCORES_RETURNS: regression ? 'the predicted value (DOUBLE)' : 'the probability of each class (MAP<STRING, DOUBLE>)',
        FIELDS_TEXT: markdownText(plan.fields.map((f, i) => `${args[i]} = ${JSON.stringify(f.name)} ${SQL_TYPE[fieldKind(f)]}${f.isoDates ? ' (an ISO date or date-time)' : ''}`).join(', ')),
        SCORER_CLASS: className,
        KSQLDB_VERSION,
        STREAM: 'records',
        COLUMNS_SQL: plan.fields.map((f) => `${sqlIdentifier(f.name)} ${SQL_TYPE[fieldKind(f)]}`).join(', '),
        ARGS_SQL: argsSql,
      },
      'ksqldb/README.md',
    ),
  })
  return { files, scorer, artifactId, nextSteps: ['mvn -B package', `cp target/${artifactId}-1.0.0.jar <ksql.extension.dir>/  # then restart ksqlDB`, `SELECT ${predictName.toUpperCase()}(${argsSql}) FROM ... EMIT CHANGES;`] }
}
