// Loads a large numeric CSV (default 1,000,000 x 50) in a child process and reports time and peak RSS.
import { spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

async function generate(file, rows, cols) {
  const out = createWriteStream(file)
  const write = (s) => (out.write(s) ? null : new Promise((r) => out.once('drain', r)))
  await write(Array.from({ length: cols }, (_, j) => `f${j}`).join(',') + '\n')
  let seed = 42
  const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296)
  for (let i = 0; i < rows; i++) {
    const cells = new Array(cols)
    for (let j = 0; j < cols; j++) cells[j] = (rand() * 1000 - 500).toFixed(3)
    const p = write(cells.join(',') + '\n')
    if (p) await p
  }
  await new Promise((r) => out.end(r))
}

export async function run({ rows = 1_000_000, cols = 50 } = {}) {
  const file = join(tmpdir(), `mlkafka-bench-${rows}x${cols}.csv`)
  if (!existsSync(file)) await generate(file, rows, cols)
  const child = spawnSync(process.execPath, ['--max-old-space-size=4096', new URL('./data-load-child.mjs', import.meta.url).pathname, file], { encoding: 'utf8' })
  if (child.status !== 0) throw new Error(`data-load child failed: ${child.stderr}`)
  const r = JSON.parse(child.stdout)
  return {
    name: 'csv load',
    rows,
    cols,
    fileMB: Math.round(statSync(file).size / 1e6),
    seconds: r.seconds,
    rowsPerSecond: Math.round(rows / r.seconds),
    peakRssMB: r.peakRssMB,
    goal: 'peak RSS < 1500 MB',
    pass: r.peakRssMB < 1500,
  }
}
