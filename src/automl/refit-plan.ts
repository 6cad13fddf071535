/**
 * The refits after a search, in numbers: what each model is refit with (a forest's extra trees, a net's
 * bag), how long its refit and its file take, and how long the refits take side by side on the workers.
 * The search plans with these (which models an ensemble can afford, which others are refit as backups,
 * how big the nets' bags are) and the pool runs what they say.
 */
import type { TrialResult } from './trial.js'

/** Refit time estimates are multiplied by this when planning an ensemble (fit times vary from fold to full rows). */
export const REFIT_MARGIN = 1.3
/**
 * Writing a model file, per byte of its JSON: serializing and writing take about 18 ns a byte on the
 * 2-core machine this was measured on (a 100-tree forest on 15,000 rows is 40 MB), with a margin.
 */
const WRITE_NS_PER_BYTE = 25
/**
 * A forest's refit grows this many trees when its trials grew fewer (see RefitPlan.scale): more trees
 * lower a forest's variance and leave its bias, so its cross-validated score holds for the refit, or
 * better. scikit-learn's grid in the benchmark picks 300 trees over 100 on most tables; the default
 * forest's test RMSE with 300 against 100: doctor 3.846 against 3.877, wages 0.2943 against 0.2961,
 * star (min leaf 5, half the features) 30.54 against 30.63.
 */
export const REFIT_TREES = 300
/**
 * A net's refit is a bag of this many nets fitted on all rows from their own seeds, averaged (see
 * refitModel), as far as a share of the budget (EXTRA_TREES_BUDGET_SHARE) and the refit plan's spare
 * time allow (see RefitPlan.sizeBags). The leaderboard's score is one net's (its cross-validation fits
 * one per fold); the bag does as well or better. The default net fitted outside a run on the study's
 * splits, a bag of five against one (test scores): syn_multi4 0.404 against 0.465 log loss,
 * syn_friedman1 1.149 against 1.256 RMSE, syn_cat_reg 2.138 against 2.237, diabetes (split 1) 54.56
 * against 57.12, syn_cat_bin 0.9164 against 0.9084 AUC, breast cancer 0.9954 and 0.9904 against 0.9958
 * and 0.9904. Averaging the five fold models instead of a refit gained about half as much (0.445, 1.238,
 * 2.150, 56.65, 0.9110).
 */
export const NET_BAG = 5
/** Under a time budget a forest's extra trees, or a net's extra bagged nets, may take this share of it (beyond its refit with its own trees, or one net). */
export const EXTRA_TREES_BUDGET_SHARE = 0.15
/** A forest grows extra trees (a net's bag more nets) on its refit only while its model stays under this size (its JSON's bytes). */
const EXTRA_TREES_MAX_BYTES = 64 * 2 ** 20

export class RefitPlan {
  /**
   * The most nets a net's bag may have: NET_BAG, but under a time budget what the refit plan has time
   * for, decided once its models are chosen (see sizeBags): a bag takes spare time, never a member's place.
   */
  netBag = NET_BAG
  /**
   * Under a time budget, the nets that get bags (see sizeBags): the winner and an ensemble's members.
   * The others refit as one net each (null: every net).
   */
  bagged: ReadonlySet<string> | null = null
  /**
   * The share of a forest's extra trees (see scale) that its refit grows: under a budget, less when
   * that lets a net's bag have more nets (see sizeBags); 1 otherwise.
   */
  forestExtra = 1

  /**
   * @param budgetMs the run's time budget, or null
   * @param fullRows all training rows against a validation fit's (what a refit's time and size grow by)
   * @param foldFits validation fits per trial (a trial's train time is theirs together)
   * @param workers refit workers, side by side
   */
  constructor(
    readonly budgetMs: number | null,
    readonly fullRows: number,
    readonly foldFits: number,
    readonly workers: number,
  ) {}

  /** Fit time on all training rows with a row's own params, from its slowest fold fit (a net's refit trains up to that fold's epochs). */
  ownMs(r: TrialResult): number {
    return (r.slowestFoldMs ?? r.trainMs / this.foldFits) * this.fullRows
  }

  /**
   * How many times its trials' trees a forest's refit grows: up to REFIT_TREES in all, as far as a
   * share of the budget (EXTRA_TREES_BUDGET_SHARE) and the model's size (EXTRA_TREES_MAX_BYTES) allow,
   * times forestExtra; for a net, how many nets its bag has (up to netBag, a whole number, by the same
   * two limits); 1 for other families. Without a time budget it depends on the row alone, so runs stay
   * reproducible.
   */
  scale(r: TrialResult): number {
    const net = r.family === 'mlp'
    const trees = r.family === 'random_forest' ? Number(r.params.nTrees) : 0
    if (net ? this.netBag <= 1 || (this.bagged !== null && !this.bagged.has(r.modelId)) : !(trees > 0) || trees >= REFIT_TREES) return 1
    let scale = net ? this.netBag : REFIT_TREES / trees
    if (this.budgetMs !== null) scale = Math.min(scale, 1 + (EXTRA_TREES_BUDGET_SHARE * this.budgetMs) / Math.max(1, this.ownMs(r)))
    scale = Math.min(scale, EXTRA_TREES_MAX_BYTES / Math.max(1, r.sizeBytes * this.fullRows))
    if (net) return Math.max(1, Math.floor(scale))
    return Math.max(trees, Math.floor(trees * (1 + this.forestExtra * (scale - 1)))) / trees
  }

  /** The params a row is refit with: its own (a net's with its epochs and its bag), a forest's with its extra trees. */
  params(r: TrialResult): Record<string, unknown> {
    const given = r.refitParams ?? r.params
    const scale = this.scale(r)
    if (r.family === 'mlp') return scale > 1 ? { ...given, bag: scale } : given
    return scale > 1 ? { ...given, nTrees: Math.round(Number(r.params.nTrees) * scale) } : given
  }

  /** Fit time on all training rows with the params it is refit with. */
  ms(r: TrialResult): number {
    return this.ownMs(r) * this.scale(r)
  }

  /**
   * Time to write the refit models' files after the search (the run directory is part of the run): each
   * once, and an ensemble's members again inside the ensemble's file.
   */
  writeMs(rows: TrialResult[], members: TrialResult[] = []): number {
    const isMember = (r: TrialResult): boolean => members.some((m) => m.modelId === r.modelId)
    const bytes = rows.reduce((n, r) => n + r.sizeBytes * this.scale(r) * (isMember(r) ? 2 : 1), 0)
    return (bytes * this.fullRows * WRITE_NS_PER_BYTE) / 1e6
  }

  /** Wall time to refit rows on the workers (longest first, each to the least loaded worker). */
  makespan(rows: TrialResult[]): number {
    const load = new Array<number>(this.workers).fill(0)
    for (const ms of rows.map((r) => this.ms(r)).sort((a, b) => b - a)) load[load.indexOf(Math.min(...load))] += ms
    return Math.max(0, ...load)
  }

  /** Whether the plan's refits (with the margin) and their files fit in leftMs. */
  fits(plan: TrialResult[], members: TrialResult[], leftMs: number): boolean {
    return this.makespan(plan) * REFIT_MARGIN + this.writeMs(plan, members) <= leftMs
  }

  /**
   * The nets' bags, once the models that matter are chosen (the winner and an ensemble's members, with
   * bags of one; the search adds backups after, in the time the bags leave): as many nets as their refits
   * leave time for, before the forests' extra trees, as a bag of nets gains more than a forest's trees
   * past its trials' (ofp: 6.23 RMSE with a bag of 4 in the ensemble, 6.47 with one net beside four
   * forests of 300 trees). The largest bag that fits with the forests' full extra trees, else with half
   * of them, else with none; with no bag, the forests keep all their extra trees. Only the plan's nets
   * get bags (see bagged). Without a budget, every net gets a bag of NET_BAG.
   */
  sizeBags(plan: TrialResult[], members: TrialResult[], leftMs: number): void {
    this.forestExtra = 1
    if (this.budgetMs === null) {
      this.netBag = NET_BAG
      return
    }
    this.bagged = new Set(plan.map((r) => r.modelId))
    if (!plan.some((r) => r.family === 'mlp')) return
    sizing: for (this.netBag = NET_BAG; this.netBag > 1; this.netBag--) {
      for (this.forestExtra of [1, 0.5, 0]) if (this.fits(plan, members, leftMs)) break sizing
    }
    if (this.netBag === 1) this.forestExtra = 1
  }
}
