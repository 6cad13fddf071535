import type { ModelIR } from '../../src/ir/model.js'

/** A stump on "speed" (missing goes right) over a categorical "color": binary, classes no/yes. */
export function stumpModel(): ModelIR {
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: 'tree-1',
    family: 'decision_tree',
    params: {},
    input: { columns: [{ name: 'speed', type: 'numeric' }, { name: 'color', type: 'categorical' }] },
    target: { name: 'y', task: 'binary', classes: ['no', 'yes'] },
    features: {
      encoding: 'tree',
      width: 2,
      steps: [
        { kind: 'raw', column: 'speed' },
        { kind: 'ordinal', column: 'color', levels: ['red', 'blue'], other: false },
      ],
    },
    model: {
      type: 'trees',
      combine: 'single',
      outputs: 2,
      trees: [
        {
          feature: [0, -1, 1, -1, -1],
          threshold: [50, 0, 0.5, 0, 0],
          left: [1, -1, 3, -1, -1],
          right: [2, -1, 4, -1, -1],
          missingLeft: [0, 0, 1, 0, 0],
          value: [0.5, 0.5, 0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.7, 0.3],
        },
      ],
    },
  }
}

/** y = 1 + 2 * a (regression). */
export function ridgeModel(): ModelIR {
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: 'ridge-1',
    family: 'logistic_regression',
    params: {},
    input: { columns: [{ name: 'a', type: 'numeric' }] },
    target: { name: 'y', task: 'regression' },
    features: { encoding: 'dense', width: 1, steps: [{ kind: 'numeric', column: 'a', impute: 0, center: 0, scale: 1 }] },
    model: { type: 'linear', link: 'identity', weights: [[2]], intercepts: [1] },
  }
}

/** A softmax model whose first class's score overflows to Infinity - Infinity (NaN) on big enough inputs. */
export function overflowingModel(): ModelIR {
  return {
    format: 'mlkafka.model',
    version: 1,
    modelId: 'lin-overflow',
    family: 'logistic_regression',
    params: { C: 1 },
    input: { columns: [{ name: '__proto__', type: 'numeric' }, { name: 'b', type: 'numeric' }] },
    target: { name: 'y', task: 'multiclass', classes: ['x', 'y', 'z'] },
    features: {
      encoding: 'dense',
      width: 2,
      steps: [
        { kind: 'numeric', column: '__proto__', impute: 0, center: 0, scale: 1 },
        { kind: 'numeric', column: 'b', impute: 0, center: 0, scale: 1 },
      ],
    },
    model: { type: 'linear', link: 'softmax', weights: [[1e300, 1e300], [1, 0], [0, 1]], intercepts: [0, 0, 0] },
  }
}
