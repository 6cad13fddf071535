// The benchmark's synthetic classification table: numeric features, non-linear signal, label noise.
// Written once to a CSV in the temp folder; both mlkafka and scikit-learn read that same file.
import { createWriteStream, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export async function learnerDataset(rows, cols) {
  const file = join(tmpdir(), `mlkafka-bench-learners-${rows}x${cols}.csv`)
  if (existsSync(file)) return file
  let seed = 7
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296)
  const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand())
  const out = createWriteStream(`${file}.tmp`)
  out.write([...Array.from({ length: cols }, (_, j) => `f${j}`), 'label'].join(',') + '\n')
  for (let i = 0; i < rows; i++) {
    const x = Array.from({ length: cols }, normal)
    const z = 1.2 * x[0] * x[1] + x[2] - 0.6 * (x[3] * x[3] - 1) + Math.sin(2 * x[4]) + 0.8 * x[5] - 0.5 * x[6] + (x[7] > 0.5 ? 1 : 0) + 0.7 * normal()
    const line = [...x.map((v) => v.toFixed(4)), z > 0.4 ? 'yes' : 'no'].join(',') + '\n'
    if (!out.write(line)) await new Promise((r) => out.once('drain', r))
  }
  await new Promise((r) => out.end(r))
  const { renameSync } = await import('node:fs')
  renameSync(`${file}.tmp`, file)
  return file
}
