#!/usr/bin/env node
// npm run bench:sampler — CPU the /proc sampler uses, for trees of 10, 100 and 500 sleeping
// processes at 10 Hz, with the N-API and the TypeScript reader, beside pidstat sampling the same
// processes (same fields: CPU, memory, I/O, context switches) in the same run. pidstat's
// shortest interval is 1 s, so both are compared per sample as well as per second at 10 Hz.
import { execFileSync, spawn } from 'node:child_process'
import { createSampler } from '../src/main/proc/sampler.ts'
import { loadNativeReader } from '../src/main/proc/native.ts'

const SECONDS = Number(process.env.SECONDS_PER_RUN ?? 3)
const HZ = 10
const PIDSTAT_SAMPLES = 4

function spawnTree(n) {
  return Array.from({ length: n }, () => spawn('sleep', ['600'], { stdio: 'ignore' }))
}

async function samplerCost(pids, reader) {
  const s = createSampler({ reader })
  for (const p of pids) s.track(p)
  await s.sampleOnce()
  const before = process.cpuUsage()
  const t0 = performance.now()
  let samples = 0
  while (performance.now() - t0 < SECONDS * 1000) {
    const tick = performance.now()
    await s.sampleOnce()
    samples++
    const wait = 1000 / HZ - (performance.now() - tick)
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  }
  const used = process.cpuUsage(before)
  const cpuMs = (used.user + used.system) / 1000
  const wall = (performance.now() - t0) / 1000
  return { pctOfCore: cpuMs / 10 / wall, msPerSample: cpuMs / samples }
}

function pidstatCost(pids) {
  // bash's `times` reports the CPU its children used
  const out = execFileSync('bash', ['-c', `pidstat -h -u -r -d -w -p ${pids.join(',')} 1 ${PIDSTAT_SAMPLES} >/dev/null; times`], { encoding: 'utf8' })
  const lines = out.trim().split('\n')
  const child = lines[lines.length - 1].match(/(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s/)
  const sec = Number(child[1]) * 60 + Number(child[2]) + Number(child[3]) * 60 + Number(child[4])
  // pidstat takes one extra sample to compute its first rates
  return { msPerSample: (sec * 1000) / (PIDSTAT_SAMPLES + 1) }
}

const native = loadNativeReader()
console.log(`native reader: ${native.reader ? 'built' : `not available (${native.reason})`}`)
console.log(`\nsampler at ${HZ} Hz for ${SECONDS} s vs pidstat (${PIDSTAT_SAMPLES} samples at 1 s), same processes`)
console.log('tree   reader   % of one core at 10 Hz   ms/sample   pidstat ms/sample   ×pidstat')
for (const n of [10, 100, 500]) {
  const kids = spawnTree(n)
  await new Promise((r) => setTimeout(r, 300))
  const pids = kids.map((k) => k.pid)
  try {
    const ps = pidstatCost(pids)
    for (const reader of native.reader ? ['native', 'ts'] : ['ts']) {
      const c = await samplerCost(pids, reader)
      console.log(
        `${String(n).padStart(4)}   ${reader.padEnd(7)} ${c.pctOfCore.toFixed(2).padStart(12)} %          ${c.msPerSample.toFixed(2).padStart(8)}   ${ps.msPerSample.toFixed(2).padStart(12)}        ${(c.msPerSample / ps.msPerSample).toFixed(2).padStart(6)}`
      )
    }
  } finally {
    for (const k of kids) k.kill('SIGKILL')
  }
}
console.log('\ngoal: ≤ 1 % of one core for 100 processes at 10 Hz, and below pidstat per sample')
