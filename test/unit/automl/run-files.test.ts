import { mkdirSync, readdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { dropEmptyDirs, prepareRunDir } from '../../../src/automl/run-files.js'
import { UsageError } from '../../../src/errors.js'
import { tempDir } from '../../helpers/files.js'

describe('the run directory, made before the search', () => {
  it('runs started in the same second (parallel CI jobs) get folders of their own under mlkafka-runs', async () => {
    const root = tempDir()
    const dirs = await Promise.all([1, 2, 3].map(() => prepareRunDir(undefined, 'fail ure', root)))
    expect(new Set(dirs).size).toBe(3)
    const names = readdirSync(join(root, 'mlkafka-runs')).sort()
    expect(names).toHaveLength(3)
    expect(names[0]).toMatch(/^\d{8}T\d{6}Z-fail_ure(-[23])?$/)
    // (Unless the clock's second turned between them, the later ones are -2 and -3.)
    for (const d of dirs) expect(statSync(d).isDirectory()).toBe(true)
  })

  it('--out: a new folder is made (parents too), an empty one or an earlier run\'s is taken, a file or a folder of other files is refused', async () => {
    const root = tempDir()
    expect(await prepareRunDir(join(root, 'a', 'b'), 'y')).toBe(join(root, 'a', 'b'))
    expect(statSync(join(root, 'a', 'b')).isDirectory()).toBe(true)
    expect(await prepareRunDir(join(root, 'a', 'b'), 'y')).toBe(join(root, 'a', 'b'))
    writeFileSync(join(root, 'a', 'b', 'run.json'), '{}')
    expect(await prepareRunDir(join(root, 'a', 'b'), 'y')).toBe(join(root, 'a', 'b'))
    writeFileSync(join(root, 'file'), 'x')
    await expect(prepareRunDir(join(root, 'file'), 'y')).rejects.toThrow(UsageError)
    mkdirSync(join(root, 'other'))
    writeFileSync(join(root, 'other', 'mine.txt'), 'x')
    await expect(prepareRunDir(join(root, 'other'), 'y')).rejects.toThrow(/holds other files/)
  })

  it('a run that ends before writing anything leaves no empty folder behind', async () => {
    const root = tempDir()
    const dir = await prepareRunDir(undefined, 'y', root)
    dropEmptyDirs([dir])
    expect(readdirSync(join(root, 'mlkafka-runs'))).toEqual([])
    // The runs folder goes too when the run made it, unless something else is in it.
    const again = await prepareRunDir(undefined, 'y', root)
    writeFileSync(join(root, 'mlkafka-runs', 'keep.txt'), 'x')
    dropEmptyDirs([again, join(root, 'mlkafka-runs')])
    expect(readdirSync(join(root, 'mlkafka-runs'))).toEqual(['keep.txt'])
    dropEmptyDirs([join(root, 'mlkafka-runs', 'gone'), join(root, 'mlkafka-runs')])
    expect(readdirSync(join(root, 'mlkafka-runs'))).toEqual(['keep.txt'])
    unlinkSync(join(root, 'mlkafka-runs', 'keep.txt'))
    const third = await prepareRunDir(undefined, 'y'.repeat(300), root)
    expect(third.length).toBeLessThan(root.length + 120)
    dropEmptyDirs([third, join(root, 'mlkafka-runs')])
    expect(readdirSync(root)).toEqual([])
  })
})
