import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { SCORER_LANGS } from '../../src/export/scorer.js'
import { usageHint, writeScorer } from '../../src/export/write-scorer.js'
import { UsageError } from '../../src/errors.js'
import { loadModel } from '../../src/ir/io.js'

export default class ExportScorer extends BaseCommand {
  static override description =
    'Write a trained model as one dependency-free TypeScript (or JavaScript) module: typed input, the fitted feature pipeline and the model, with score(record) and scoreBatch(records) that give exactly the predictions of the model IR.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --model mlkafka-runs/20261125T120000Z-failure/model.json --out src/failure-scorer.ts',
    '<%= config.bin %> <%= command.id %> --model run/model.json --out scorer.js',
    '<%= config.bin %> <%= command.id %> --model run/model.json --out scorer.ts --name Failure --json',
  ]

  static override enableJsonFlag = true

  static override flags = {
    model: Flags.string({ char: 'm', description: 'model file written by `mlkafka automl train` (a run directory holds model.json)' }),
    out: Flags.string({ char: 'o', description: 'file to write, e.g. scorer.ts (its folder must exist)' }),
    lang: Flags.string({ description: 'ts: TypeScript; js: plain ES module JavaScript with JSDoc types (default: from the --out extension, else ts)', options: [...SCORER_LANGS] }),
    name: Flags.string({
      description:
        'prefix of the exported type names: NAMEInput, NAMEPrediction, NAMEClass (default: the target column in PascalCase, e.g. Failure). The functions are always score and scoreBatch; import * as failure from ... to use several scorers side by side',
    }),
  }

  async run(): Promise<object> {
    const { flags } = await this.parse(ExportScorer)
    if (flags.model === undefined) throw new UsageError('missing --model FILE: the model.json written by `mlkafka automl train`')
    if (flags.out === undefined) throw new UsageError('missing --out FILE: where to write the scorer, e.g. --out scorer.ts')
    const ir = await loadModel(flags.model)
    const written = await writeScorer(ir, { out: flags.out, lang: flags.lang, name: flags.name, source: flags.model })
    const { plan } = written
    for (const warning of plan.warnings) if (!this.jsonEnabled()) process.stderr.write(`warning: ${warning}\n`)
    if (!this.jsonEnabled()) {
      const language = written.lang === 'ts' ? 'TypeScript' : 'JavaScript'
      this.log(`wrote ${written.file} (${language}, ${(written.bytes / 1024).toFixed(1)} kB): scores ${JSON.stringify(plan.target)} (${plan.task}) with ${plan.modelId} (${plan.family}), ${plan.layoutText}`)
      for (const line of usageHint(written)) this.log(`  ${line}`)
    }
    return {
      file: written.file,
      lang: written.lang,
      bytes: written.bytes,
      name: written.name,
      modelId: plan.modelId,
      family: plan.family,
      task: plan.task,
      target: plan.target,
      classes: plan.classes,
      fields: plan.fields.map((f) => f.name),
      layout: plan.layout,
      layoutText: plan.layoutText,
      importPath: written.importPath,
      exports: written.exports,
      warnings: plan.warnings,
    }
  }
}
