/** A copy of a typed array in a SharedArrayBuffer, so worker threads read it without a copy each. */
export function toShared<T extends Float64Array | Int32Array | Uint8Array | Uint16Array>(a: T): T {
  const Ctor = a.constructor as new (buffer: SharedArrayBuffer) => T
  const copy = new Ctor(new SharedArrayBuffer(a.byteLength))
  copy.set(a as never)
  return copy
}
