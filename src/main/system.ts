// Facts about the machine the session runs on.
import { arch, release } from 'node:os'

export function hostArch(): 'x86_64' | 'aarch64' {
  return arch() === 'arm64' ? 'aarch64' : 'x86_64'
}

export function kernelRelease(): string {
  return release()
}
