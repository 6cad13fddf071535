/**
 * Ensembles from single models: the members' pipelines one after another, each member reading its own
 * slice of the feature vector (see EnsembleModelIR).
 */
import { ENSEMBLE_IR_VERSION, type EnsembleMemberIR, type FeatureStep, type ModelIR } from './model.js'

export interface EnsemblePart {
  ir: ModelIR
  weight: number
}

/**
 * One model IR holding the parts, in order. Every part must be a single model trained for the same
 * target on the same input columns; the ensemble's metadata (training info) comes from the first.
 */
export function buildEnsemble(parts: EnsemblePart[], modelId: string, params: Record<string, unknown> = {}): ModelIR {
  if (parts.length === 0) throw new Error('an ensemble needs at least one member')
  const first = parts[0].ir
  const steps: FeatureStep[] = []
  const members: EnsembleMemberIR[] = []
  let offset = 0
  for (const { ir, weight } of parts) {
    if (ir.model.type === 'ensemble') throw new Error(`ensemble member ${ir.modelId} is itself an ensemble`)
    if (ir.target.name !== first.target.name || ir.target.task !== first.target.task || JSON.stringify(ir.target.classes) !== JSON.stringify(first.target.classes)) {
      throw new Error(`ensemble member ${ir.modelId} predicts another target than ${first.modelId}`)
    }
    if (JSON.stringify(ir.input.columns) !== JSON.stringify(first.input.columns)) throw new Error(`ensemble member ${ir.modelId} reads other input columns than ${first.modelId}`)
    steps.push(...ir.features.steps)
    members.push({ modelId: ir.modelId, family: ir.family, params: ir.params, weight, offset, width: ir.features.width, model: ir.model })
    offset += ir.features.width
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
