/**
 * `mlkafka export udf --target kafkajs`: a small Node.js service (templates/kafkajs/) around the
 * TypeScript scorer of `mlkafka export scorer`: a kafkajs consumer -> producer loop with serve's output,
 * dead-letter and commit rules, runnable with `npm start`.
 */
import type { ModelIR } from '../../ir/model.js'
import { exportScorer } from '../scorer.js'
import { fieldKindText, fillTemplate, codeSpanText, firstFew, markdownText, readTemplate, type Scaffold, type ScaffoldFile, type UdfOptions } from './scaffold.js'

export async function kafkajsProject(ir: ModelIR, options: UdfOptions): Promise<Scaffold> {
  const scorer = exportScorer(ir, { lang: 'ts', name: options.name, importPath: './scorer.js', source: options.source, now: options.now })
  const { plan } = scorer
  const packageName = `${scorer.name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}-scoring-service`
  const readme = {
    PACKAGE_NAME: packageName,
    TARGET_TEXT: markdownText(JSON.stringify(plan.target)),
    MODEL_ID_TEXT: codeSpanText(plan.modelId),
    FAMILY_TEXT: markdownText(plan.family),
    PROBABILITY_FIELDS: plan.classes === null ? '' : `\`p_<class>\` per class (${markdownText(firstFew(plan.classes.map((c) => `p_${c}`)))}), `,
    FIELDS_TEXT: markdownText(plan.fields.map((f) => `${JSON.stringify(f.name)} (${fieldKindText(f)})`).join(', ')),
  }
  const files: ScaffoldFile[] = [
    { path: 'package.json', content: fillTemplate(await readTemplate('kafkajs', 'package.json'), { PACKAGE_NAME: packageName }, 'kafkajs/package.json') },
    { path: 'tsconfig.json', content: await readTemplate('kafkajs', 'tsconfig.json') },
    { path: 'README.md', content: fillTemplate(await readTemplate('kafkajs', 'README.md'), readme, 'kafkajs/README.md') },
    { path: 'src/scorer.ts', content: scorer.code },
    { path: 'src/service.ts', content: await readTemplate('kafkajs', 'src/service.ts') },
  ]
  return { files, scorer, artifactId: packageName, nextSteps: ['npm install', 'BOOTSTRAP_SERVERS=localhost:9092 INPUT_TOPIC=<in> OUTPUT_TOPIC=<out> npm start'] }
}
