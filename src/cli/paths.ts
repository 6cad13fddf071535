import { realpath } from 'node:fs/promises'

/** Whether two paths name the same existing file or folder (through links and `..`). */
export async function samePath(a: string, b: string): Promise<boolean> {
  const [ra, rb] = await Promise.all([realpath(a).catch(() => null), realpath(b).catch(() => null)])
  return ra !== null && ra === rb
}
