import { afterAll } from 'vitest'
import { removeTempDirs } from '../helpers/files.js'

// Every test file's temp folders (generated Maven projects are about 95 MB each) go when it ends.
afterAll(() => removeTempDirs())
