import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { UDF_TARGETS, writeUdfProject } from '../../src/export/udf/index.js'
import { UsageError } from '../../src/errors.js'
import { loadModel } from '../../src/ir/io.js'

export default class ExportUdf extends BaseCommand {
  static override description =
    'Write a trained model as a stream project: ksqlDB functions, a Kafka Streams app or a kafkajs service, each around a generated dependency-free scorer that gives exactly the predictions of the model IR.'

  static override examples = [
    '<%= config.bin %> <%= command.id %> --model run/model.json --target kafka-streams --out failure-streams',
    '<%= config.bin %> <%= command.id %> --model run/model.json --target ksqldb --out failure-udf --name Failure --package com.example.models',
    '<%= config.bin %> <%= command.id %> --model run/model.json --target kafkajs --out failure-service',
  ]

  static override enableJsonFlag = true

  static override flags = {
    model: Flags.string({ char: 'm', description: 'model file written by `mlkafka automl train` (a run directory holds model.json)' }),
    target: Flags.string({ char: 't', description: 'ksqldb: UDF jar for ksqlDB; kafka-streams: a Kafka Streams app (Maven); kafkajs: a Node.js service', options: [...UDF_TARGETS] }),
    out: Flags.string({ char: 'o', description: 'folder to write the project into (created when missing; files already there are replaced)' }),
    name: Flags.string({ description: 'class name prefix: NAMEScorer, PREDICT_NAME (default: the target column in PascalCase, e.g. Failure)' }),
    package: Flags.string({ description: 'Java package of the generated classes (ksqldb, kafka-streams; default com.example.models)' }),
  }

  async run(): Promise<object> {
    const { flags } = await this.parse(ExportUdf)
    if (flags.model === undefined) throw new UsageError('missing --model FILE: the model.json written by `mlkafka automl train`')
    if (flags.target === undefined) throw new UsageError(`missing --target: one of ${UDF_TARGETS.join(', ')}`)
    if (flags.out === undefined) throw new UsageError('missing --out DIR: the folder to write the project into, e.g. --out failure-udf')
    const ir = await loadModel(flags.model)
    const project = await writeUdfProject(ir, { target: flags.target, out: flags.out, name: flags.name, packageName: flags.package, source: flags.model })
    const { plan } = project.scorer
    if (!this.jsonEnabled()) {
      for (const warning of plan.warnings) process.stderr.write(`warning: ${warning}\n`)
      this.log(`wrote ${project.target} project ${flags.out} for ${JSON.stringify(plan.target)} (${plan.task}) with ${plan.modelId} (${plan.family}), ${plan.layoutText}:`)
      for (const file of project.written) this.log(`  ${file}`)
      this.log('next:')
      this.log(`  cd ${flags.out}`)
      for (const step of project.nextSteps) this.log(`  ${step}`)
    }
    return { target: project.target, out: flags.out, files: project.written, modelId: plan.modelId, task: plan.task, target_column: plan.target, layout: plan.layout, nextSteps: project.nextSteps, warnings: plan.warnings }
  }
}
