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
    ['missing file', null, 'file not found'],
    ['empty file', '', 'file is empty'],
    ['header only', 'a,b\n', ':2: the file has a header but no data rows'],
    ['ragged row', 'a,b\n1,2\n3\n', ':3:2: row has 1 field but the header has 2'],
    ['duplicated header', 'a,a\n1,2\n', ':1:2: duplicated column name "a"'],
    ['target absent', 'a,b\n1,2\n', ':1: target column "failure" is not in the header'],
    ['target all missing', 'a,failure\n1,\n2,NA\n', 'target column "failure" is missing in all 2 rows'],
    ['single class', 'a,failure\n1,no\n2,no\n', 'has a single class ("no")'],
  ])('%s: one line on stderr, non-zero exit, no stack trace', (name, content, expected) => {
    const file = content === null ? `${dir}/does-not-exist.csv` : writeFixture(dir, `${name.replace(/ /g, '-')}.csv`, content)
    const r = runCli(['data', 'inspect', file, '--target', 'failure'])
    expect(r.status).toBe(1)
    expect(r.stdout).toBe('')
    const lines = r.stderr.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/^Error: /)
    expect(lines[0]).toContain(file)
    expect(lines[0]).toContain(expected)
    expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
  })

  it('--help shows usage and examples', () => {
    const r = runCli(['data', 'inspect', '--help'])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('USAGE')
    expect(r.stdout).toContain('$ mlkafka data inspect examples/car-sensors.csv --target failure')
  })
})
