/**
 * `mlkafka export udf --target kafka-streams`: a Maven project around the Java scorer: a Kafka Streams
 * topology with serve's output and dead-letter rules (templates/kafka-streams/), and a generated JUnit
 * test that pipes good and bad records through Kafka's TopologyTestDriver.
 */
import { compileModel } from '../../ir/evaluate.js'
import type { ModelIR } from '../../ir/model.js'
import { headerFacts } from '../header.js'
import { javaString } from '../java/literals.js'
import { exportJavaScorer } from '../java/scorer.js'
import { artifactIdOf, fieldKindText, fillTemplate, codeSpanText, firstFew, markdownText, readTemplate, type Scaffold, type ScaffoldFile, type UdfOptions } from './scaffold.js'

export const KAFKA_STREAMS_VERSION = '4.4.0'

/** A record that fails scoring on its first field with an object value, and the evaluator's message for it. */
export function illTypedRecord(ir: ModelIR): { json: string; message: string } | null {
  const field = ir.input.columns[0]?.name
  if (field === undefined) return null
  const record = { [field]: { nested: 1 } }
  try {
    compileModel(ir).predictRecord(record)
  } catch (err) {
    return { json: JSON.stringify(record), message: (err as Error).message }
  }
  return null
}

export async function kafkaStreamsProject(ir: ModelIR, options: UdfOptions): Promise<Scaffold> {
  const scorer = exportJavaScorer(ir, { className: options.name === undefined ? undefined : `${options.name}Scorer`, packageName: options.packageName, source: options.source, now: options.now })
  const { plan, className, packageName } = scorer
  const artifactId = artifactIdOf(className)
  const pkgPath = packageName ? `${packageName.split('.').join('/')}/` : ''
  const packageLine = packageName ? `package ${packageName};\n` : ''
  const appId = `mlkafka-${artifactId}`
  const example = Object.fromEntries(headerFacts(ir, plan, options.now ?? new Date()).example)
  const bad = illTypedRecord(ir)
  const java = {
    PACKAGE_LINE: packageLine,
    SCORER_CLASS: className,
    DEFAULT_APP_ID: appId,
    DEFAULT_APP_ID_LITERAL: javaString(appId),
    CLASSES_EXPR: plan.classes === null ? 'List.of()' : `${className}.CLASSES`,
  }
  const test = {
    PACKAGE_LINE: packageLine,
    SCORER_CLASS: className,
    GOOD_RECORD: javaString(JSON.stringify(example)),
    PREDICTION_CHECK:
      plan.classes === null
        ? `assertEquals(${className}.score(fields)[0], doc.get("prediction").asDouble());`
        : `assertEquals(${className}.predict(fields), doc.get("prediction").asText());`,
    ILL_TYPED_CASE: bad === null ? '{"\\"text\\"", "not-object", "a JSON string, not an object"}' : `{${javaString(bad.json)}, "ill-typed-field", ${javaString(bad.message)}}`,
  }
  const pom = { GROUP_ID: packageName || 'mlkafka.generated', ARTIFACT_ID: artifactId, MAIN_CLASS: `${packageName ? `${packageName}.` : ''}ScoringApp` }
  const readme = {
    ARTIFACT_ID: artifactId,
    TARGET_TEXT: markdownText(JSON.stringify(plan.target)),
    MODEL_ID_TEXT: codeSpanText(plan.modelId),
    FAMILY_TEXT: markdownText(plan.family),
    KAFKA_VERSION: KAFKA_STREAMS_VERSION,
    PACKAGE_PATH: pkgPath,
    SCORER_CLASS: className,
    SCORES_TEXT: plan.classes === null ? 'a 1-element array holding the predicted value' : 'the probability of each class in `CLASSES` order',
    PREDICT_TEXT: plan.classes === null ? 'value as text' : 'most probable class',
    PROBABILITY_FIELDS: plan.classes === null ? '' : `one \`p_<class>\` per class (${markdownText(firstFew(plan.classes.map((c) => `p_${c}`)))}), `,
    DEFAULT_APP_ID: appId,
    FIELDS_TEXT: markdownText(plan.fields.map((f) => `${JSON.stringify(f.name)} (${fieldKindText(f)})`).join(', ')),
  }
  const files: ScaffoldFile[] = [
    { path: 'pom.xml', content: fillTemplate(await readTemplate('kafka-streams', 'pom.xml'), pom, 'kafka-streams/pom.xml') },
    { path: 'README.md', content: fillTemplate(await readTemplate('kafka-streams', 'README.md'), readme, 'kafka-streams/README.md') },
    { path: `src/main/java/${scorer.path}`, content: scorer.code },
    { path: `src/main/java/${pkgPath}ScoringApp.java`, content: fillTemplate(await readTemplate('kafka-streams', 'src/main/java/ScoringApp.java'), java, 'ScoringApp.java') },
    { path: `src/test/java/${pkgPath}ScoringAppTest.java`, content: fillTemplate(await readTemplate('kafka-streams', 'src/test/java/ScoringAppTest.java'), test, 'ScoringAppTest.java') },
  ]
  return {
    files,
    scorer,
    artifactId,
    nextSteps: ['mvn -B package', `BOOTSTRAP_SERVERS=localhost:9092 INPUT_TOPIC=<in> OUTPUT_TOPIC=<out> java -jar target/${artifactId}-1.0.0.jar`],
  }
}
