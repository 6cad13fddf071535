import type { Table } from '../data/table.js'
import type { TargetData } from '../data/target.js'
import { fitPipeline, inputColumnsOf, type PipelineOptions, DEFAULT_PIPELINE_OPTIONS } from '../features/pipeline.js'
import { IR_FORMAT, IR_VERSION, type ModelIR } from '../ir/model.js'
import { tableRowsOf, targetsOf, type Learner } from './learner.js'

export interface FitModelOptions {
  modelId: string
  seed: number
  validation?: Int32Array
  signal?: AbortSignal
  pipelineOptions?: PipelineOptions
}

/**
 * Fits the feature pipeline on the training rows, then the learner, and returns the whole model IR.
 * `train` holds positions into target.y / target.rows.
 */
export async function fitModel<P extends object>(
  learner: Learner<P>,
  table: Table,
  target: TargetData,
  train: Int32Array,
  params: P,
  options: FitModelOptions,
): Promise<ModelIR> {
  const inputs = inputColumnsOf(table, target.name)
  const pipeline = fitPipeline(
    table,
    inputs,
    learner.encoding,
    { rows: tableRowsOf(target, train), y: targetsOf(target, train), task: target.task },
    options.pipelineOptions ?? DEFAULT_PIPELINE_OPTIONS,
  )
  const model = await learner.fit(
    { table, target, train, pipeline, inputs, seed: options.seed, validation: options.validation, signal: options.signal },
    params,
  )
  return {
    format: IR_FORMAT,
    version: IR_VERSION,
    modelId: options.modelId,
    family: learner.family,
    params: params as Record<string, unknown>,
    input: { columns: inputs },
    target: { name: target.name, task: target.task, ...(target.classes ? { classes: target.classes } : {}) },
    features: pipeline,
    model,
  }
}
