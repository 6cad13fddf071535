#!/usr/bin/env node
// Writes src/learners/dense-kernel-wasm.ts: the WebAssembly (SIMD, f64x2) kernel the MLP trains with,
// assembled from the WebAssembly text below by wabt (a dev dependency; the generated file is committed,
// and a unit test checks it is what this script makes). `node scripts/generate-dense-kernel.mjs [--check]`.
//
// dense(x, n, k, w, b, m, out, mode, h): out[i*m + o] = sum_j w[o*k + j] * x[i*k + j] (+ b[o] when b != 0),
// for rows i < n and outputs o < m; pointers are byte offsets into the module's memory of row-major f64
// matrices. mode 1 stores ReLU(out) (v > 0 ? v : 0), mode 2 out where h > 0, else 0 (h laid out like
// out: the ReLU's derivative in the backward pass), mode 0 out itself. Blocks of 2 rows x 4 outputs keep 8 two-lane sums in registers; each lane sums every other
// j, the lanes are added at the end, then the odd j left over and the bias. (The order differs from
// dense-math.ts's denseForward, which the IR evaluator matches bit for bit: this kernel is for training.)
//
// outer(d, n, m, x, k, g, gb): g[o*k + j] = sum_i d[i*m + o] * x[i*k + j] (g = d^T x) and gb[o] = sum_i
// d[i*m + o], both overwritten: a dense layer's weight and bias gradients, without transposing either operand. Four rows at a time: g's row o gets
// d[i][o] x[i] + ... + d[i+3][o] x[i+3], two j per step; rows whose four d are all 0 (dead ReLUs) are skipped.
import { readFileSync, writeFileSync } from 'node:fs'

const acc = ['s0', 's1', 's2', 's3', 't0', 't1', 't2', 't3']
const q4 = [0, 1, 2, 3]
const get = (name) => `(local.get $${name})`
/** Row r of W for output o + q, clamped to the last output (rows past m are read, never stored). */
const wRow = (q) => `(i32.add ${get('w')} (i32.mul (select (i32.add ${get('o')} (i32.const ${q})) (i32.sub ${get('m')} (i32.const 1)) (i32.lt_s (i32.add ${get('o')} (i32.const ${q})) ${get('m')})) ${get('rowb')}))`
const outAt = (c, q) => `(i32.add ${get(c)} (i32.shl (i32.add ${get('o')} (i32.const ${q})) (i32.const 3)))`
export const WAT = `(module
  (memory (export "memory") 1)
  (func (export "dense") (param $x i32) (param $n i32) (param $k i32) (param $w i32) (param $b i32) (param $m i32) (param $out i32) (param $mode i32) (param $h i32)
    (local $i i32) (local $o i32) (local $j i32) (local $kv i32) (local $rowb i32) (local $off i32) (local $end i32)
    (local $x0 i32) (local $x1 i32) (local $w0 i32) (local $w1 i32) (local $w2 i32) (local $w3 i32) (local $c0 i32) (local $c1 i32)
    ${acc.map((a) => `(local $${a} v128)`).join(' ')}
    ${acc.map((a) => `(local $f${a} f64)`).join(' ')}
    (local $u v128) (local $v v128) (local $a v128) (local $xu f64) (local $xv f64) (local $wa f64) (local $bias f64) (local $val f64)
    (local.set $rowb (i32.shl ${get('k')} (i32.const 3)))
    (local.set $kv (i32.and ${get('k')} (i32.const -2)))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s ${get('i')} ${get('n')}))
      (local.set $x0 (i32.add ${get('x')} (i32.mul ${get('i')} ${get('rowb')})))
      ;; the pair's second row; for an odd last row, the same row again (its sums are not stored)
      (local.set $x1 (select (i32.add ${get('x0')} ${get('rowb')}) ${get('x0')} (i32.lt_s (i32.add ${get('i')} (i32.const 1)) ${get('n')})))
      (local.set $c0 (i32.add ${get('out')} (i32.shl (i32.mul ${get('i')} ${get('m')}) (i32.const 3))))
      (local.set $c1 (i32.add ${get('c0')} (i32.shl ${get('m')} (i32.const 3))))
      (local.set $o (i32.const 0))
      (block $outs_done (loop $outs
        (br_if $outs_done (i32.ge_s ${get('o')} ${get('m')}))
        ${q4.map((q) => `(local.set $w${q} ${wRow(q)})`).join('\n        ')}
        ${acc.map((a) => `(local.set $${a} (v128.const i64x2 0 0))`).join(' ')}
        (local.set $off (i32.const 0))
        (local.set $j (i32.const 0))
        (block $vec_done (loop $vec
          (br_if $vec_done (i32.ge_s ${get('j')} ${get('kv')}))
          (local.set $u (v128.load (i32.add ${get('x0')} ${get('off')})))
          (local.set $v (v128.load (i32.add ${get('x1')} ${get('off')})))
          ${q4.map((q) => `(local.set $a (v128.load (i32.add ${get(`w${q}`)} ${get('off')})))
          (local.set $s${q} (f64x2.add ${get(`s${q}`)} (f64x2.mul ${get('a')} ${get('u')})))
          (local.set $t${q} (f64x2.add ${get(`t${q}`)} (f64x2.mul ${get('a')} ${get('v')})))`).join('\n          ')}
          (local.set $off (i32.add ${get('off')} (i32.const 16)))
          (local.set $j (i32.add ${get('j')} (i32.const 2)))
          (br $vec)))
        ${acc.map((a) => `(local.set $f${a} (f64.add (f64x2.extract_lane 0 ${get(a)}) (f64x2.extract_lane 1 ${get(a)})))`).join('\n        ')}
        (if (i32.lt_s ${get('j')} ${get('k')}) (then
          (local.set $xu (f64.load (i32.add ${get('x0')} ${get('off')})))
          (local.set $xv (f64.load (i32.add ${get('x1')} ${get('off')})))
          ${q4.map((q) => `(local.set $wa (f64.load (i32.add ${get(`w${q}`)} ${get('off')})))
          (local.set $fs${q} (f64.add ${get(`fs${q}`)} (f64.mul ${get('wa')} ${get('xu')})))
          (local.set $ft${q} (f64.add ${get(`ft${q}`)} (f64.mul ${get('wa')} ${get('xv')})))`).join('\n          ')}))
        ${q4.map((q) => `(if (i32.lt_s (i32.add ${get('o')} (i32.const ${q})) ${get('m')}) (then
          (local.set $bias (if (result f64) ${get('b')} (then (f64.load (i32.add ${get('b')} (i32.shl (i32.add ${get('o')} (i32.const ${q})) (i32.const 3))))) (else (f64.const 0))))
          (f64.store ${outAt('c0', q)} (f64.add ${get(`fs${q}`)} ${get('bias')}))
          (if (i32.lt_s (i32.add ${get('i')} (i32.const 1)) ${get('n')}) (then
            (f64.store ${outAt('c1', q)} (f64.add ${get(`ft${q}`)} ${get('bias')}))))))`).join('\n        ')}
        (local.set $o (i32.add ${get('o')} (i32.const 4)))
        (br $outs)))
      (local.set $i (i32.add ${get('i')} (i32.const 2)))
      (br $rows)))
    ;; the activation, two lanes at a time without branches: pmax(0, v) is v > 0 ? v : 0; and-ing with
    ;; (h > 0)'s all-ones lanes keeps v where h > 0. An odd last entry is done alone.
    (if ${get('mode')} (then
      (local.set $end (i32.shl (i32.mul ${get('n')} ${get('m')}) (i32.const 3)))
      (local.set $off (i32.const 0))
      (block $act_done (loop $act
        (br_if $act_done (i32.gt_s (i32.add ${get('off')} (i32.const 16)) ${get('end')}))
        (local.set $a (v128.load (i32.add ${get('out')} ${get('off')})))
        (v128.store (i32.add ${get('out')} ${get('off')}) (if (result v128) (i32.eq ${get('mode')} (i32.const 1))
          (then (f64x2.pmax (v128.const i64x2 0 0) ${get('a')}))
          (else (v128.and ${get('a')} (f64x2.gt (v128.load (i32.add ${get('h')} ${get('off')})) (v128.const i64x2 0 0))))))
        (local.set $off (i32.add ${get('off')} (i32.const 16)))
        (br $act)))
      (if (i32.lt_s ${get('off')} ${get('end')}) (then
        (local.set $val (f64.load (i32.add ${get('out')} ${get('off')})))
        (f64.store (i32.add ${get('out')} ${get('off')}) (select ${get('val')} (f64.const 0)
          (f64.gt (if (result f64) (i32.eq ${get('mode')} (i32.const 1)) (then ${get('val')}) (else (f64.load (i32.add ${get('h')} ${get('off')})))) (f64.const 0)))))))))
  (func (export "outer") (param $d i32) (param $n i32) (param $m i32) (param $x i32) (param $k i32) (param $g i32) (param $gb i32)
    (local $i i32) (local $o i32) (local $j i32) (local $kv i32) (local $rowb i32) (local $rowd i32) (local $off i32) (local $end i32) (local $go i32)
    ${q4.map((q) => `(local $x${q} i32) (local $d${q} f64) (local $v${q} v128)`).join(' ')}
    (local.set $rowb (i32.shl ${get('k')} (i32.const 3)))
    (local.set $rowd (i32.shl ${get('m')} (i32.const 3)))
    (local.set $kv (i32.and ${get('k')} (i32.const -2)))
    ;; g = 0
    (memory.fill ${get('g')} (i32.const 0) (i32.mul ${get('m')} ${get('rowb')}))
    (memory.fill ${get('gb')} (i32.const 0) ${get('rowd')})
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_s ${get('i')} ${get('n')}))
      ;; rows past n read row i again with a d of 0
      ${q4.map((q) => `(local.set $x${q} (i32.add ${get('x')} (i32.mul (select (i32.add ${get('i')} (i32.const ${q})) ${get('i')} (i32.lt_s (i32.add ${get('i')} (i32.const ${q})) ${get('n')})) ${get('rowb')})))`).join('\n      ')}
      (local.set $o (i32.const 0))
      (block $outs_done (loop $outs
        (br_if $outs_done (i32.ge_s ${get('o')} ${get('m')}))
        ${q4.map((q) => `(local.set $d${q} (if (result f64) (i32.lt_s (i32.add ${get('i')} (i32.const ${q})) ${get('n')}) (then (f64.load (i32.add ${get('d')} (i32.add (i32.mul (i32.add ${get('i')} (i32.const ${q})) ${get('rowd')}) (i32.shl ${get('o')} (i32.const 3)))))) (else (f64.const 0))))`).join('\n        ')}
        (if (i32.eqz (i32.and (i32.and (f64.eq ${get('d0')} (f64.const 0)) (f64.eq ${get('d1')} (f64.const 0))) (i32.and (f64.eq ${get('d2')} (f64.const 0)) (f64.eq ${get('d3')} (f64.const 0))))) (then
          ${q4.map((q) => `(local.set $v${q} (f64x2.splat ${get(`d${q}`)}))`).join(' ')}
          (f64.store (i32.add ${get('gb')} (i32.shl ${get('o')} (i32.const 3)))
            (f64.add (f64.load (i32.add ${get('gb')} (i32.shl ${get('o')} (i32.const 3)))) (f64.add (f64.add ${get('d0')} ${get('d1')}) (f64.add ${get('d2')} ${get('d3')}))))
          (local.set $go (i32.add ${get('g')} (i32.mul ${get('o')} ${get('rowb')})))
          (local.set $off (i32.const 0))
          (local.set $end (i32.shl ${get('kv')} (i32.const 3)))
          (block $vec_done (loop $vec
            (br_if $vec_done (i32.ge_s ${get('off')} ${get('end')}))
            (v128.store (i32.add ${get('go')} ${get('off')})
              (f64x2.add (v128.load (i32.add ${get('go')} ${get('off')}))
                (f64x2.add
                  (f64x2.add (f64x2.mul ${get('v0')} (v128.load (i32.add ${get('x0')} ${get('off')}))) (f64x2.mul ${get('v1')} (v128.load (i32.add ${get('x1')} ${get('off')}))))
                  (f64x2.add (f64x2.mul ${get('v2')} (v128.load (i32.add ${get('x2')} ${get('off')}))) (f64x2.mul ${get('v3')} (v128.load (i32.add ${get('x3')} ${get('off')})))))))
            (local.set $off (i32.add ${get('off')} (i32.const 16)))
            (br $vec)))
          (if (i32.lt_s ${get('kv')} ${get('k')}) (then
            (f64.store (i32.add ${get('go')} ${get('end')})
              (f64.add (f64.load (i32.add ${get('go')} ${get('end')}))
                (f64.add
                  (f64.add (f64.mul ${get('d0')} (f64.load (i32.add ${get('x0')} ${get('end')}))) (f64.mul ${get('d1')} (f64.load (i32.add ${get('x1')} ${get('end')}))))
                  (f64.add (f64.mul ${get('d2')} (f64.load (i32.add ${get('x2')} ${get('end')}))) (f64.mul ${get('d3')} (f64.load (i32.add ${get('x3')} ${get('end')})))))))))))
        (local.set $o (i32.add ${get('o')} (i32.const 1)))
        (br $outs)))
      (local.set $i (i32.add ${get('i')} (i32.const 4)))
      (br $rows)))))
`

export async function assemble() {
  const wabt = await (await import('wabt')).default()
  const mod = wabt.parseWat('dense-kernel.wat', WAT, { simd: true, bulk_memory: true })
  mod.validate()
  const { buffer } = mod.toBinary({})
  mod.destroy()
  return Buffer.from(buffer)
}

export function source(bytes) {
  return `// Generated by scripts/generate-dense-kernel.mjs from the WebAssembly text there: do not edit.
/** The MLP's training kernel (dense-kernel.ts), as a WebAssembly module with SIMD. */
export const DENSE_KERNEL_WASM = '${bytes.toString('base64')}'
`
}

const target = new URL('../src/learners/dense-kernel-wasm.ts', import.meta.url)
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const text = source(await assemble())
  if (process.argv.includes('--check')) {
    if (readFileSync(target, 'utf8') !== text) {
      console.error('src/learners/dense-kernel-wasm.ts is not what scripts/generate-dense-kernel.mjs makes: run it')
      process.exit(1)
    }
  } else writeFileSync(target, text)
}
