/**
 * Ensembles from single models: the members' pipelines one after another, each member reading its own
 * slice of the feature vector (see EnsembleModelIR).
 */
import { stepWidth } from '../features/pipeline.js'
import { ENSEMBLE_IR_VERSION, type EnsembleMemberIR, type FeatureStep, type ModelIR } from './model.js'

export interface EnsemblePart {
  ir: ModelIR
  weight: number
}

/**
 * One model IR holding the parts, in order. Every part must be trained for the same target on the same
 * input columns; the ensemble's metadata (training info) comes from the first. A part that is itself an
 * ensemble (a bag of nets, see refitModel) adds its members, their weights times its own. Members whose
 * pipelines are the same (models fitted on the same rows with the same encoding) share one copy of it,
 * so a scorer computes those features once.
 */
export function buildEnsemble(parts: EnsemblePart[], modelId: string, params: Record<string, unknown> = {}): ModelIR {
  if (parts.length === 0) throw new Error('an ensemble needs at least one member')
  const first = parts[0].ir
  const steps: FeatureStep[] = []
  const members: EnsembleMemberIR[] = []
  // Where each distinct pipeline (its steps' JSON) starts in the shared feature vector.
  const blocks = new Map<string, number>()
  let offset = 0
  const place = (pipelineSteps: FeatureStep[], width: number): number => {
    const key = JSON.stringify(pipelineSteps)
    let at = blocks.get(key)
    if (at === undefined) {
      at = offset
      blocks.set(key, at)
      steps.push(...pipelineSteps)
      offset += width
    }
    return at
  }
  for (const { ir, weight } of parts) {
    if (ir.target.name !== first.target.name || ir.target.task !== first.target.task || JSON.stringify(ir.target.classes) !== JSON.stringify(first.target.classes)) {
      throw new Error(`ensemble member ${ir.modelId} predicts another target than ${first.modelId}`)
    }
    if (JSON.stringify(ir.input.columns) !== JSON.stringify(first.input.columns)) throw new Error(`ensemble member ${ir.modelId} reads other input columns than ${first.modelId}`)
    if (ir.model.type === 'ensemble') {
      for (const m of ir.model.members) {
        const at = place(sliceSteps(ir.features.steps, m.offset, m.width), m.width)
        members.push({ ...m, weight: weight * m.weight, offset: at })
      }
      continue
    }
    const at = place(ir.features.steps, ir.features.width)
    members.push({ modelId: ir.modelId, family: ir.family, params: ir.params, weight, offset: at, width: ir.features.width, model: ir.model })
  }
  return {
    format: first.format,
    version: ENSEMBLE_IR_VERSION,
    modelId,
    family: 'ensemble',
    params,
    input: first.input,
    target: first.target,
    features: { encoding: 'mixed', steps, width: offset },
    model: { type: 'ensemble', members },
    ...(first.training ? { training: first.training } : {}),
  }
}

/** The steps that give features offset .. offset + width of a pipeline. */
function sliceSteps(steps: FeatureStep[], offset: number, width: number): FeatureStep[] {
  const out: FeatureStep[] = []
  let at = 0
  for (const step of steps) {
    if (at >= offset && at < offset + width) out.push(step)
    at += stepWidth(step)
  }
  return out
}
