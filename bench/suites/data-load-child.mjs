import { readCsv } from '../../dist/src/data/csv.js'

const file = process.argv[2]
const start = performance.now()
const table = await readCsv(file)
const seconds = (performance.now() - start) / 1000
if (table.nRows <= 0) throw new Error('no rows')
console.log(JSON.stringify({ seconds, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) }))
