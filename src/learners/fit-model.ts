import type { Table } from '../data/table.js'
import type { TargetData } from '../data/target.js'
import { fitPipeline, inputColumnsOf, type PipelineOptions, DEFAULT_PIPELINE_OPTIONS } from '../features/pipeline.js'
import { IR_FORMAT, MODEL_IR_VERSION, type FeaturePipelineIR, type InputColumn, type ModelIR } from '../ir/model.js'
import { tableRowsOf, targetsOf, type FitInput, type Learner } from './learner.js'

export interface FitModelOptions {
  modelId: string
  seed: number
  validation?: Int32Array
  signal?: AbortSignal
  timeUp?: FitInput['timeUp']
  pipelineOptions?: PipelineOptions
  report?: FitInput['report']
}

/**
 * Pipelines already fitted, by target, training positions (the same array object) and encoding: every
 * trial of an AutoML fold fits the same pipeline, so the search fits it once per fold, and the shared
 * object lets encodeTable reuse the fold's encoded matrices. Pipelines are never mutated.
 */
const pipelineCache = new WeakMap<TargetData, WeakMap<Int32Array, Map<string, FeaturePipelineIR>>>()

function cachedPipeline(table: Table, inputs: InputColumn[], target: TargetData, train: Int32Array, encoding: 'tree' | 'dense', options: PipelineOptions): FeaturePipelineIR {
  let byRows = pipelineCache.get(target)
  if (!byRows) pipelineCache.set(target, (byRows = new WeakMap()))
  let byKey = byRows.get(train)
  if (!byKey) byRows.set(train, (byKey = new Map()))
  const key = `${encoding}|${options.maxOneHotLevels}|${options.maxOrdinalLevels}|${options.minLevelCount}`
  let pipeline = byKey.get(key)
  if (!pipeline) {
    pipeline = fitPipeline(table, inputs, encoding, { rows: tableRowsOf(target, train), y: targetsOf(target, train), task: target.task }, options)
    byKey.set(key, pipeline)
  }
  return pipeline
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
  const pipeline = cachedPipeline(table, inputs, target, train, learner.encoding, options.pipelineOptions ?? DEFAULT_PIPELINE_OPTIONS)
  const model = await learner.fit(
    { table, target, train, pipeline, inputs, seed: options.seed, validation: options.validation, signal: options.signal, timeUp: options.timeUp, report: options.report },
    params,
  )
  return {
    format: IR_FORMAT,
    version: MODEL_IR_VERSION,
    modelId: options.modelId,
    family: learner.family,
    params: params as Record<string, unknown>,
    input: { columns: inputs },
    target: { name: target.name, task: target.task, ...(target.classes ? { classes: target.classes } : {}) },
    features: pipeline,
    model,
  }
}
