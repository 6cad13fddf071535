import { describe, expect, it } from 'vitest'
import { NET_BAG, REFIT_MARGIN, REFIT_TREES, RefitPlan } from '../../../src/automl/refit-plan.js'
import type { TrialResult } from '../../../src/automl/trial.js'

/** A finished trial whose slowest fold fit took foldMs (its refit on all rows takes 1.25 times that below). */
function row(modelId: string, family: TrialResult['family'], params: Record<string, unknown>, foldMs: number): TrialResult {
  return { modelId, family, params, score: 0, scoreStd: 0, foldScores: [], metrics: {}, trainMs: foldMs * 5, predictUsPerRow: 1, sizeBytes: 1000, seed: 1, slowestFoldMs: foldMs }
}

// A forest of 100 trees refit in 2.5 s (7.5 s with its extra trees up to REFIT_TREES, 5 s with half of
// them) and a net refit in 1 s per net of its bag, on one worker: their refit times add up.
const forest = row('random_forest_2', 'random_forest', { nTrees: 100 }, 2000)
const net = row('mlp_4', 'mlp', { hidden: [64] }, 800)
const plan = [forest, net]
const ms = (forestMs: number, nets: number): number => (forestMs + 1000 * nets) * REFIT_MARGIN + 1

function sized(leftMs: number, budgetMs: number | null = 60_000, rows = plan): RefitPlan {
  const refits = new RefitPlan(budgetMs, 1.25, 5, 1)
  refits.netBag = 1 // as the search chooses the plan's models
  refits.sizeBags(rows, rows, leftMs)
  return refits
}

describe('the nets\' bags and the forests\' extra trees in the time the refits have', () => {
  it('with time for everything, a full bag and every extra tree', () => {
    const refits = sized(ms(7500, NET_BAG))
    expect([refits.netBag, refits.forestExtra]).toEqual([NET_BAG, 1])
    expect(refits.params(net)).toMatchObject({ bag: NET_BAG })
    expect(refits.params(forest)).toMatchObject({ nTrees: REFIT_TREES })
    expect(refits.fits(plan, plan, ms(7500, NET_BAG))).toBe(true)
  })

  it('a bag comes before the forests\' extra trees: half of them, then none, while the bag stays full', () => {
    const half = sized(ms(5000, NET_BAG))
    expect([half.netBag, half.forestExtra]).toEqual([NET_BAG, 0.5])
    expect(half.params(forest)).toMatchObject({ nTrees: 200 })
    const none = sized(ms(2500, NET_BAG))
    expect([none.netBag, none.forestExtra]).toEqual([NET_BAG, 0])
    expect(none.params(forest)).toEqual({ nTrees: 100 })
    // Time for every extra tree beside a bag of 2 goes to a full bag instead.
    const bag = sized(ms(7500, 2))
    expect([bag.netBag, bag.forestExtra]).toEqual([NET_BAG, 0])
  })

  it('with less time, the largest bag that fits beside the forest\'s own trees', () => {
    const refits = sized(ms(2500, 2))
    expect([refits.netBag, refits.forestExtra]).toEqual([2, 0])
    expect(refits.params(net)).toMatchObject({ bag: 2 })
    expect(refits.fits(plan, plan, ms(2500, 2))).toBe(true)
  })

  it('with no time for a bag, one net, and the forest keeps its extra trees (the edge cuts them short)', () => {
    const refits = sized(1000)
    expect([refits.netBag, refits.forestExtra]).toEqual([1, 1])
    expect(refits.params(net)).toEqual({ hidden: [64] })
    expect(refits.params(forest)).toMatchObject({ nTrees: REFIT_TREES })
  })

  it('only the plan\'s nets get bags: another net refit after them (a backup) is one net', () => {
    const other = row('mlp_9', 'mlp', { hidden: [32] }, 800)
    const refits = sized(ms(7500, NET_BAG))
    expect(refits.params(net)).toMatchObject({ bag: NET_BAG })
    expect(refits.params(other)).toEqual({ hidden: [32] })
    expect(refits.ms(other)).toBe(1000)
  })

  it('without a budget, full bags and every extra tree, whatever the time (runs stay reproducible)', () => {
    const refits = sized(0, null)
    expect([refits.netBag, refits.forestExtra]).toEqual([NET_BAG, 1])
    expect(refits.params(row('mlp_9', 'mlp', {}, 800))).toEqual({ bag: NET_BAG })
  })

  it('a plan without a net leaves the forests their extra trees', () => {
    const refits = sized(ms(2500, 0), 60_000, [forest])
    expect(refits.forestExtra).toBe(1)
    expect(refits.params(forest)).toMatchObject({ nTrees: REFIT_TREES })
  })

  it('estimates side-by-side refits on the workers by their longest load', () => {
    const two = new RefitPlan(60_000, 1.25, 5, 2)
    two.netBag = 3
    expect(two.makespan([forest, net])).toBe(7500)
    expect(two.makespan([forest, net, net, net])).toBe(9000)
  })
})
