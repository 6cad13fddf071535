import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { runCli } from '../helpers/cli.js'
import { tempDir, writeFixture } from '../helpers/files.js'

const dir = tempDir()

describe('mlkafka data inspect (spawned as a user runs it)', () => {
  it('prints the schema and the target balance of the bundled example', () => {
    const r = runCli(['data', 'inspect', 'examples/car-sensors.csv', '--target', 'failure'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('examples/car-sensors.csv: 5000 rows x 16 columns')
    expect(r.stdout).toMatch(/engine_temp_c\s+numeric\s+2\.1%/)
    expect(r.stdout).toMatch(/turbo\s+boolean/)
    expect(r.stdout).toContain('target: failure -> binary (5000 rows)')
    expect(r.stdout).toMatch(/yes\s+416\s+8\.3%/)
  })

  it('takes the file as --csv too, as automl train and predict do', () => {
    const r = runCli(['data', 'inspect', '--csv', 'examples/car-sensors.csv'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('examples/car-sensors.csv: 5000 rows x 16 columns')
    const both = runCli(['data', 'inspect', 'examples/car-sensors.csv', '--csv', 'other.csv'])
    expect(both.status).toBe(2)
    expect(both.stderr).toContain('pass the CSV file once: as FILE (examples/car-sensors.csv) or as --csv (other.csv)')
  })

  it('--json prints one JSON document and nothing else', () => {
    const r = runCli(['data', 'inspect', 'examples/car-sensors.csv', '--target', 'failure', '--json'])
    expect(r.status).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.rows).toBe(5000)
    expect(report.columns.find((c: { name: string }) => c.name === 'region')).toMatchObject({ type: 'categorical', missing: 150, distinct: 4 })
    expect(report.target).toMatchObject({ task: 'binary', classes: [{ label: 'no', count: 4584 }, { label: 'yes', count: 416 }] })
  })

  it.each([
    ['missing file', null, 'file not found', 1],
    ['empty file', '', 'file is empty', 1],
    ['header only', 'a,b\n', ':2: the file has a header but no data rows', 1],
    ['ragged row', 'a,b\n1,2\n3\n', ':3:2: row has 1 field but the header has 2', 1],
    ['duplicated header', 'a,a\n1,2\n', ':1:2: duplicated column name "a"', 1],
    // A --target that names no column is a bad flag value (exit 2), like --ignore's.
    ['target absent', 'a,b\n1,2\n', ':1: --target: column "failure" is not in the header. Columns: a, b', 2],
    // A column that cannot be the target: the column table still prints (stdout), then the error.
    ['target all missing', 'a,failure\n1,\n2,NA\n', 'target column "failure" is missing in all 2 rows', 1],
    ['single class', 'a,failure\n1,no\n2,no\n', 'has a single class ("no")', 1],
  ])('%s: one line on stderr, non-zero exit, no stack trace', (name, content, expected, status) => {
    const file = content === null ? `${dir}/does-not-exist.csv` : writeFixture(dir, `${name.replace(/ /g, '-')}.csv`, content)
    const r = runCli(['data', 'inspect', file, '--target', 'failure'])
    expect(r.status).toBe(status)
    if (name.startsWith('target all') || name === 'single class') expect(r.stdout).toContain(`${file}: 2 rows x 2 columns`)
    else expect(r.stdout).toBe('')
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^Error: /)
    expect(lines[0]).toContain(file)
    expect(lines[0]).toContain(expected)
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })

  it('numbers with thousands separators: text, with a note in the report and in train\'s log', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `"${i % 2 ? '-' : ''}${1 + i},${String(100 + i * 7).padStart(3, '0')}.5${i}",${i % 2 ? 'out' : 'in'}`)
    const file = writeFixture(dir, 'amounts.csv', ['amount,flow', ...rows].join('\n') + '\n')
    const note = 'note: column amount looks like numbers with thousands separators (40 cells such as "1,100.50", first at data row 1): read as text, one category per value; write them without the separators to read them as numbers'
    const r = runCli(['data', 'inspect', file])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(note)
    const json = JSON.parse(runCli(['data', 'inspect', file, '--json']).stdout)
    expect(json.columns[0]).toMatchObject({ name: 'amount', type: 'categorical', thousandsCells: { count: 40, firstRow: 0, example: '1,100.50' } })
    const train = runCli(['automl', 'train', file, '--target', 'flow', '--families', 'decision_tree', '--max-trials', '1', '--folds', '2', '--out', join(dir, 'amounts-run')])
    expect(train.stderr).toContain(note)
    // One note a column: these texts are all different, but the thousands note says what they are.
    expect(r.stdout).not.toContain('free text')
    expect(train.stderr).not.toContain('free text')
  })

  it('a column of free text: a note in the report and in train\'s log', () => {
    const words = ['late', 'early', 'broken', 'fine', 'loud']
    const rows = Array.from({ length: 40 }, (_, i) => `${words[i % 5]} ${words[(i * 3) % 5]} on day ${i},${i < 20 ? 'a' : 'b'},${i % 2 ? 'out' : 'in'}`)
    const file = writeFixture(dir, 'remarks.csv', ['remark,shift,flow', ...rows].join('\n') + '\n')
    const note = 'note: column remark has 40 different texts in 40 rows, none in 5 rows: models do not read free text; with a value in every row, it tells them nothing (--ignore remark leaves it out)'
    const r = runCli(['data', 'inspect', file])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain(note)
    expect(r.stdout.match(/free text/g)).toHaveLength(1)
    const train = runCli(['automl', 'train', file, '--target', 'flow', '--families', 'decision_tree', '--max-trials', '1', '--folds', '2', '--out', join(dir, 'remarks-run')])
    expect(train.status).toBe(0)
    expect(train.stderr).toContain(note)
  })

  it('--help shows usage and examples', () => {
    const r = runCli(['data', 'inspect', '--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('USAGE')
    expect(r.stdout).toContain('$ mlkafka data inspect examples/car-sensors.csv --target failure')
  })

  it('--task without --target is a usage error (it was ignored)', () => {
    const r = runCli(['data', 'inspect', 'examples/car-sensors.csv', '--task', 'regression'])
    expect(r.status).toBe(2)
    expect(r.stderr).toBe('Error: --task applies to the target: pass --target COL with it\n')
  })

  it('a topic name Kafka refuses is a usage error before any connection (data inspect, train, topic load, serve)', () => {
    for (const args of [
      ['data', 'inspect', '--topic', 'bad topic!'],
      ['automl', 'train', '--topic', 'bad topic!', '--target', 'y'],
      ['topic', 'load', 'examples/car-sensors.csv', '--topic', 'bad topic!'],
      ['serve', '--model', 'x.json', '--input-topic', 'in', '--output-topic', 'out', '--dlq-topic', 'bad topic!'],
    ]) {
      const r = runCli([...args, '--brokers', '127.0.0.1:1'], { timeoutMs: 5_000 })
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/^Error: --(topic|dlq-topic) "bad topic!": a topic name may hold only letters, digits, "\.", "_" and "-" \(not " ", "!"\)\n$/)
    }
  })
})
