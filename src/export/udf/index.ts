/**
 * `mlkafka export udf`: the model as a stream-processing project around a generated scorer. One entry
 * point per target; each returns the files (templates/<target>/ filled in) and the next steps to print.
 */
import { UsageError } from '../../errors.js'
import type { ModelIR } from '../../ir/model.js'
import { checkJavaClassName, checkJavaPackage } from '../java/scorer.js'
import { kafkajsProject } from './kafkajs.js'
import { kafkaStreamsProject } from './kafka-streams.js'
import { ksqldbProject } from './ksqldb.js'
import { writeScaffold, type Scaffold } from './scaffold.js'

export const UDF_TARGETS = ['ksqldb', 'kafka-streams', 'kafkajs'] as const
export type UdfTarget = (typeof UDF_TARGETS)[number]

export const DEFAULT_PACKAGE = 'com.example.models'

export interface UdfExportOptions {
  target: string
  out: string
  name?: string
  packageName?: string
  source?: string
}

export interface WrittenUdf extends Scaffold {
  target: UdfTarget
  written: string[]
}

export async function buildUdfProject(ir: ModelIR, options: Omit<UdfExportOptions, 'out'>): Promise<Scaffold & { target: UdfTarget }> {
  const target = options.target as UdfTarget
  if (!UDF_TARGETS.includes(target)) throw new UsageError(`--target ${options.target}: use ${UDF_TARGETS.join(', ')}`)
  if (options.name !== undefined) checkJavaClassName(options.name)
  if (target === 'kafkajs' && options.packageName !== undefined) throw new UsageError('--package is for the Java targets (ksqldb, kafka-streams), not kafkajs')
  const packageName = checkJavaPackage(options.packageName ?? DEFAULT_PACKAGE)
  const common = { name: options.name, packageName, source: options.source }
  const scaffold = target === 'ksqldb' ? await ksqldbProject(ir, common) : target === 'kafka-streams' ? await kafkaStreamsProject(ir, common) : await kafkajsProject(ir, common)
  return { ...scaffold, target }
}

export async function writeUdfProject(ir: ModelIR, options: UdfExportOptions): Promise<WrittenUdf> {
  const project = await buildUdfProject(ir, options)
  const written = await writeScaffold(options.out, project.files)
  return { ...project, written }
}
