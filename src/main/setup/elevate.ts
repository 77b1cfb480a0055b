// Running the setup as root through one authentication prompt. @vscode/sudo-prompt hands the
// command to pkexec as a `bash -c` string, so every word is quoted here and only paths the app
// itself chose ever reach it — never text a user typed.
import sudo from '@vscode/sudo-prompt'

/** Single-quote a word for sh; refuses characters no path of ours contains. */
export function shellQuote(word: string): string {
  if (!/^[A-Za-z0-9_./:=,+@%-]+$/.test(word)) {
    throw Object.assign(new Error(`refusing to pass "${word.slice(0, 80)}" to a root shell: it has characters syscope's own paths never have`), {
      code: 'EINVAL'
    })
  }
  return `'${word}'`
}

export class ElevationError extends Error {
  constructor(
    message: string,
    readonly code: 'EDENIED' | 'ENOAGENT' | 'ENOPKEXEC' | 'EFAILED'
  ) {
    super(message)
  }
}

export function runElevated(command: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    sudo.exec(command, { name: 'syscope' }, (error, stdout, stderr) => {
      const out = String(stdout ?? '')
      const err = String(stderr ?? '')
      if (!error) return resolve({ stdout: out, stderr: err })
      const m = error.message
      if (/did not grant permission/i.test(m)) return reject(new ElevationError('authentication was cancelled or refused; nothing was changed', 'EDENIED'))
      if (/No polkit authentication agent/i.test(m))
        return reject(
          new ElevationError(
            'no polkit authentication agent is running (a desktop session normally starts one); nothing was changed. Run the commands shown yourself with sudo instead',
            'ENOAGENT'
          )
        )
      if (/Unable to find pkexec/i.test(m))
        return reject(
          new ElevationError(
            'pkexec is not installed (Debian/Ubuntu: sudo apt-get install pkexec); nothing was changed. Or run the commands shown yourself with sudo',
            'ENOPKEXEC'
          )
        )
      const detail = (err.trim().split('\n').slice(-3).join(' ') || m).slice(0, 500)
      reject(new ElevationError(`a setup step failed and was rolled back: ${detail}`, 'EFAILED'))
    })
  })
}
