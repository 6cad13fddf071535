#!/usr/bin/env node
import { execute } from '@oclif/core'
// Output piped into a reader that stops early (`mlkafka predict ... | head`) ends the command quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err) => {
    if (err.code === 'EPIPE') process.exit(0)
    throw err
  })
}
await execute({ dir: import.meta.url })
