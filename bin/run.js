#!/usr/bin/env node
import { execute } from '@oclif/core'
// Output piped into a reader that stops early (`mlkafka predict ... | head`) ends the command quietly.
// (A log reader gone from stderr is no reason to stop: serve goes on, its log lines unread.)
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})
process.stderr.on('error', (err) => {
  if (err.code !== 'EPIPE') throw err
})
await execute({ dir: import.meta.url })
