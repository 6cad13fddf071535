import { describe, expect, it } from 'vitest'
import { sampleParams } from '../../../src/automl/space.js'
import { Random } from '../../../src/learners/random.js'

describe('search space', () => {
  it('the regression forest baseline splits on a third of the features, the classification one on sqrt', () => {
    expect(sampleParams('random_forest', 'regression', 0, new Random(1)).maxFeatures).toBe('third')
    expect(sampleParams('random_forest', 'binary', 0, new Random(1)).maxFeatures).toBe('sqrt')
  })
})
