import type { TargetData } from '../data/target.js'
import { Random } from '../learners/random.js'

/** One validation split: positions into target.y for training and for scoring. */
export interface Fold {
  train: Int32Array
  valid: Int32Array
}

/**
 * Stratified k-fold for classification (each class dealt round-robin over the folds after a seeded
 * shuffle, so every fold has the class balance), plain shuffled k-fold for regression.
 */
export function kFolds(target: TargetData, k: number, seed: number): Fold[] {
  const n = target.y.length
  const random = new Random(Random.derive(seed, 0xf01d))
  const foldOf = new Int32Array(n)
  if (target.task === 'regression') {
    const order = random.shuffle(Int32Array.from({ length: n }, (_, i) => i))
    for (let r = 0; r < n; r++) foldOf[order[r]] = r % k
  } else {
    const byClass: number[][] = target.classes!.map(() => [])
    for (let i = 0; i < n; i++) byClass[target.y[i]].push(i)
    let next = 0
    for (const rows of byClass) {
      const order = random.shuffle(Int32Array.from(rows))
      for (const i of order) foldOf[i] = next++ % k
    }
  }
  return Array.from({ length: k }, (_, f) => {
    const train: number[] = []
    const valid: number[] = []
    for (let i = 0; i < n; i++) (foldOf[i] === f ? valid : train).push(i)
    return { train: Int32Array.from(train), valid: Int32Array.from(valid) }
  })
}

/** A single stratified holdout split (for large tables, where k fits cost too much). */
export function holdoutSplit(target: TargetData, validShare: number, seed: number): Fold {
  const k = Math.max(2, Math.round(1 / validShare))
  return kFolds(target, k, seed)[0]
}
