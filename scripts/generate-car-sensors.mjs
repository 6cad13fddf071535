#!/usr/bin/env node
// Writes examples/car-sensors.csv: a synthetic but realistic car-sensor table (numeric, boolean and
// categorical columns, missing values, rare levels, a binary `failure` target driven by non-linear
// interactions). Deterministic: the same seed gives the same file byte for byte.
import { writeFileSync } from 'node:fs'

const ROWS = Number(process.argv[2] ?? 5000)
const OUT = process.argv[3] ?? new URL('../examples/car-sensors.csv', import.meta.url)

// mulberry32: small, fast, seedable.
let seed = 20261125
function rand() {
  seed |= 0
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
function normal(mean, sd) {
  const u = 1 - rand()
  const v = rand()
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}
function pick(items, weights) {
  let r = rand() * weights.reduce((a, b) => a + b, 0)
  for (let i = 0; i < items.length; i++) if ((r -= weights[i]) < 0) return items[i]
  return items[items.length - 1]
}
const missing = (value, p) => (rand() < p ? pick(['', 'NA'], [3, 1]) : value)
const round = (v, d) => Number(v.toFixed(d))

const models = ['sedan-a', 'sedan-b', 'suv-x', 'suv-y', 'truck-t', 'van-v']
const regions = ['north', 'south', 'east', 'west']
const faults = ['none', 'P0300', 'P0420', 'P0171', 'P0128', 'P0700', 'U0100']

const header = [
  'car_id', 'model', 'region', 'engine_temp_c', 'oil_pressure_kpa', 'rpm', 'vibration_g', 'battery_v',
  'mileage_km', 'ambient_temp_c', 'tire_pressure_kpa', 'speed_kmh', 'days_since_service', 'last_fault_code',
  'turbo', 'failure',
]
const lines = [header.join(',')]
for (let i = 0; i < ROWS; i++) {
  const model = pick(models, [25, 20, 18, 15, 12, 10])
  const region = pick(regions, [30, 25, 25, 20])
  const turbo = model.startsWith('suv') || model === 'truck-t' ? rand() < 0.6 : rand() < 0.2
  const heavy = model === 'truck-t' || model === 'van-v'
  const mileage = Math.max(500, normal(heavy ? 160000 : 90000, 45000))
  const ambient = normal(region === 'south' ? 24 : region === 'north' ? 6 : 15, 8)
  const rpm = Math.max(700, normal(2300 + (turbo ? 300 : 0), 650))
  const speed = Math.max(0, normal(rpm / 30, 18))
  const daysSinceService = Math.floor(Math.max(0, normal(180, 110)))
  const engineTemp = normal(88 + 0.25 * ambient + (rpm - 2300) / 250 + (daysSinceService > 300 ? 6 : 0), 4)
  const oilPressure = normal(300 - mileage / 2500 - (engineTemp - 90) * 1.5, 25)
  const vibration = Math.abs(normal(0.3 + mileage / 600000 + (model === 'sedan-b' ? 0.15 : 0), 0.12))
  const battery = normal(12.6 - (ambient < 0 ? 0.5 : 0) - mileage / 1e6, 0.25)
  const tire = normal(230, 14)
  const fault = pick(faults, [80, 5, 4, 4, 3, 2, 0.4])

  // Failure risk: hot engine with low oil pressure, worn high-mileage cars that vibrate, overdue service,
  // some fault codes, a weak battery in the cold; plus noise.
  let z = -4.4
  z += engineTemp > 100 && oilPressure < 230 ? 3.6 : 0
  z += (mileage > 180000 ? 1.6 : 0) + (vibration > 0.75 ? 2.2 : 0)
  z += daysSinceService > 330 ? 1.6 : 0
  z += fault === 'P0300' ? 2.2 : fault === 'P0128' ? 1.5 : fault === 'U0100' ? 2.6 : 0
  z += battery < 12.1 && ambient < 3 ? 2.0 : 0
  z += turbo && rpm > 3200 ? 1.4 : 0
  z += normal(0, 0.6)
  const failure = rand() < 1 / (1 + Math.exp(-z)) ? 'yes' : 'no'

  lines.push(
    [
      `car-${String(1 + Math.floor(rand() * 900)).padStart(4, '0')}`,
      model,
      missing(region, 0.03),
      missing(round(engineTemp, 1), 0.02),
      missing(round(oilPressure, 1), 0.04),
      Math.round(rpm),
      missing(round(vibration, 3), 0.02),
      missing(round(battery, 2), 0.01),
      Math.round(mileage),
      round(ambient, 1),
      missing(round(tire, 1), 0.05),
      round(speed, 1),
      missing(daysSinceService, 0.03),
      fault,
      turbo,
      failure,
    ].join(','),
  )
}
writeFileSync(OUT, lines.join('\n') + '\n')
console.log(`wrote ${ROWS} rows to ${OUT instanceof URL ? OUT.pathname : OUT}`)
