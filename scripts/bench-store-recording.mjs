// The synthetic session of the store benchmark (store-workload.mjs) as a recording file, written
// as RecordingWriter writes one (gzip level 6, sync-flushed after every tick) and closed without
// a digest, so that reopening it loads every tick. Written once per size and kept under out/bench.
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { once } from 'node:events'
import { constants, createGzip } from 'node:zlib'
import { sessionTicks, workloadHeader } from './store-workload.mjs'

/** { path, diskBytes, textBytes (decompressed) } of the recording of `ticks` ticks of `processes` */
export async function syntheticRecording(root, columns, { ticks, processes }) {
  const path = `${root}out/bench/synthetic-${ticks}x${processes}.syscope`
  const textBytesPath = `${path}.text-bytes`
  if (!existsSync(path) || !existsSync(textBytesPath)) {
    mkdirSync(`${root}out/bench`, { recursive: true })
    const partial = `${path}.partial`
    const file = createWriteStream(partial, { mode: 0o600 })
    const gzip = createGzip({ level: 6 })
    gzip.pipe(file)
    let textBytes = 0
    const put = async (obj) => {
      const line = JSON.stringify(obj) + '\n'
      textBytes += Buffer.byteLength(line)
      // wait for gzip to catch up, or the whole hour waits in its queue
      if (!gzip.write(line)) await once(gzip, 'drain')
    }
    await put(workloadHeader(columns))
    for (const tickLines of sessionTicks({ columns, ticks, processes })) {
      for (const line of tickLines) await put(line)
      gzip.flush(constants.Z_SYNC_FLUSH)
    }
    gzip.end()
    await once(file, 'close')
    renameSync(partial, path)
    writeFileSync(textBytesPath, String(textBytes))
  }
  return { path, diskBytes: statSync(path).size, textBytes: Number(readFileSync(textBytesPath, 'utf8')) }
}
