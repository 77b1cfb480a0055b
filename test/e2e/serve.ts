// `syscope serve` for the browser specs: started with its data in `data` (XDG_DATA_HOME), its URL
// (with the token) read from what it prints, and stopped by its own process.
import { spawn } from 'node:child_process'
import { join } from 'node:path'

export const cli = join(import.meta.dirname, '..', '..', 'bin', 'syscope.mjs')

export interface Served {
  url: string
  stop(): Promise<void>
}

export async function startServe(data: string): Promise<Served> {
  const server = spawn('node', [cli, 'serve'], { env: { ...process.env, XDG_DATA_HOME: data }, stdio: ['ignore', 'pipe', 'inherit'] })
  const url = await new Promise<string>((resolve, reject) => {
    let text = ''
    server.stdout.on('data', (d: Buffer) => {
      text += d.toString()
      const m = text.match(/(http:\/\/127\.0\.0\.1:\d+\/#token=\w+)/)
      if (m) resolve(m[1]!)
    })
    server.once('exit', (code) => reject(new Error(`syscope serve exited with ${code}`)))
  })
  return {
    url,
    async stop() {
      if (server.exitCode !== null || server.signalCode !== null) return
      const exited = new Promise((r) => server.once('exit', r))
      server.kill('SIGTERM')
      await exited
    }
  }
}
