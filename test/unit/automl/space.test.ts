import { describe, expect, it } from 'vitest'
import { C_GRID, classRatioOf, familySize, portfolio, sampleParams } from '../../../src/automl/space.js'
import { Random } from '../../../src/learners/random.js'

describe('search space', () => {
  it('the regression forest baseline splits on a third of the features, the classification one on sqrt', () => {
    expect(sampleParams('random_forest', 'regression', 0, new Random(1)).maxFeatures).toBe('third')
    expect(sampleParams('random_forest', 'binary', 0, new Random(1)).maxFeatures).toBe('sqrt')
  })

  it("a regression forest tries a min leaf of 5 drawing features by scikit-learn's rule, all features with it, half the features, then extremely randomized trees, before random draws", () => {
    const at = (k: number): Record<string, unknown> => sampleParams('random_forest', 'regression', k, new Random(1))
    expect(at(0)).toMatchObject({ maxFeatures: 'third', minSamplesLeaf: 1, featureDraw: 'varying', splitter: 'best', bootstrap: true })
    expect(at(1)).toMatchObject({ maxFeatures: 'third', minSamplesLeaf: 5, maxDepth: 0, nTrees: 100, maxSamples: 1, featureDraw: 'any', splitter: 'best' })
    expect(at(2)).toMatchObject({ maxFeatures: 'all', minSamplesLeaf: 5, maxDepth: 0, nTrees: 100, maxSamples: 1, featureDraw: 'varying', splitter: 'best' })
    expect(at(3)).toMatchObject({ maxFeatures: 0.5, minSamplesLeaf: 1 })
    expect(at(4)).toMatchObject({ maxFeatures: 0.5, minSamplesLeaf: 5 })
    expect(at(5)).toMatchObject({ maxFeatures: 'all', minSamplesLeaf: 1, nTrees: 100, splitter: 'random', bootstrap: false })
    expect(portfolio('random_forest', 'regression')).toHaveLength(5)
  })

  it('a classification forest tries a min leaf of 5, a shrinkage of 100, half the features, a shrinkage of 20, extremely randomized trees; a tree a min leaf of 20, then a shrinkage of 100 and 25; then random draws', () => {
    const at = (k: number): Record<string, unknown> => sampleParams('random_forest', 'binary', k, new Random(1))
    expect(at(0)).toMatchObject({ maxFeatures: 'sqrt', minSamplesLeaf: 1, shrinkage: 0, splitter: 'best' })
    expect(at(1)).toMatchObject({ maxFeatures: 'sqrt', minSamplesLeaf: 5, maxDepth: 0, nTrees: 100, maxSamples: 1, shrinkage: 0 })
    expect(at(2)).toMatchObject({ maxFeatures: 'sqrt', minSamplesLeaf: 1, shrinkage: 100, splitter: 'best' })
    expect(at(3)).toMatchObject({ maxFeatures: 0.5, minSamplesLeaf: 1, shrinkage: 0 })
    expect(at(4)).toMatchObject({ maxFeatures: 'sqrt', minSamplesLeaf: 1, shrinkage: 20 })
    expect(at(5)).toMatchObject({ maxFeatures: 'all', minSamplesLeaf: 1, shrinkage: 0, splitter: 'random', bootstrap: false })
    expect(sampleParams('decision_tree', 'multiclass', 1, new Random(1))).toMatchObject({ maxDepth: 0, minSamplesLeaf: 20, shrinkage: 0 })
    expect(sampleParams('decision_tree', 'multiclass', 2, new Random(1))).toMatchObject({ maxDepth: 0, minSamplesLeaf: 1, shrinkage: 100 })
    expect(sampleParams('decision_tree', 'regression', 3, new Random(1))).toMatchObject({ maxDepth: 0, minSamplesLeaf: 1, shrinkage: 25 })
    // Random draws after: the seed shows, and shrinkage is among what they vary.
    const draws = Array.from({ length: 30 }, (_, seed) => sampleParams('random_forest', 'binary', 6, new Random(seed)))
    expect(new Set(draws.map((d) => JSON.stringify(d))).size).toBeGreaterThan(20)
    expect(new Set(draws.map((d) => d.shrinkage)).size).toBeGreaterThan(2)
    expect(new Set(draws.map((d) => d.featureDraw))).toEqual(new Set(['varying', 'any']))
    // Extremely randomized trees among them, grown on all the rows.
    expect(new Set(draws.map((d) => d.splitter))).toEqual(new Set(['best', 'random']))
    for (const d of draws) expect(d.bootstrap).toBe(d.splitter === 'best')
  })

  it("a logistic regression searches scikit-learn's grid of C: its defaults, a path over the other decades, and for classification the grid with balanced class weights; then no more", () => {
    expect(C_GRID).toEqual([0.01, 0.1, 1, 10, 100])
    expect(sampleParams('logistic_regression', 'binary', 0, new Random(1))).toMatchObject({ C: 1, classWeight: 'none' })
    expect(sampleParams('logistic_regression', 'multiclass', 1, new Random(1))).toMatchObject({ cPath: [0.01, 0.1, 10, 100], classWeight: 'none' })
    expect(sampleParams('logistic_regression', 'binary', 2, new Random(1))).toMatchObject({ cPath: [0.01, 0.1, 1, 10, 100], classWeight: 'balanced' })
    expect(familySize('logistic_regression', 'binary')).toBe(3)
    expect(familySize('logistic_regression', 'regression')).toBe(2)
    expect(sampleParams('logistic_regression', 'regression', 1, new Random(1))).toMatchObject({ cPath: [0.01, 0.1, 10, 100], classWeight: 'none' })
    expect(() => sampleParams('logistic_regression', 'regression', 2, new Random(1))).toThrow(/2 configurations/)
    expect(familySize('mlp', 'binary')).toBe(Infinity)
  })

  it('a logistic regression tries balanced class weights only where the largest class has 1.5 times the rows of the smallest or more', () => {
    expect(classRatioOf([37, 37, 38])).toBeCloseTo(38 / 37)
    expect(classRatioOf([159, 267])).toBeCloseTo(267 / 159)
    expect(classRatioOf(undefined)).toBe(Infinity)
    expect(familySize('logistic_regression', 'multiclass', classRatioOf([37, 37, 38]))).toBe(2)
    expect(familySize('logistic_regression', 'binary', 1.49)).toBe(2)
    expect(familySize('logistic_regression', 'binary', 1.5)).toBe(3)
    expect(sampleParams('logistic_regression', 'binary', 2, new Random(1), classRatioOf([159, 267]))).toMatchObject({ classWeight: 'balanced' })
    expect(() => sampleParams('logistic_regression', 'binary', 2, new Random(1), 1.2)).toThrow(/2 configurations/)
    // The other families keep drawing class weights at random.
    const weights = new Set(Array.from({ length: 20 }, (_, seed) => sampleParams('mlp', 'binary', 3, new Random(seed), 1.2).classWeight))
    expect(weights).toEqual(new Set(['none', 'balanced']))
  })
})
