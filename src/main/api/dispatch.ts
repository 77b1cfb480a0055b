// One place where a contract call is validated, run and wrapped in the reply envelope, shared by
// Electron's IPC handlers and the browser bridge.
import type { ApiMethod, ApiReply } from '../../shared/contract'
import type { Backend } from './backend'
import { ApiError } from '../errors'
import { validateArgs } from './validate'

export async function handleApiCall(backend: Backend, method: ApiMethod, args: unknown[]): Promise<ApiReply<unknown>> {
  try {
    const valid = validateArgs(method, args)
    const fn = backend[method] as (...a: unknown[]) => Promise<unknown>
    const value = await fn.apply(backend, valid)
    return { ok: true, value: value === undefined ? null : value }
  } catch (e) {
    if (e instanceof ApiError) return { ok: false, error: { code: e.code, message: e.message } }
    const err = e as NodeJS.ErrnoException
    return { ok: false, error: { code: typeof err.code === 'string' ? err.code : 'EFAIL', message: err.message ?? String(e) } }
  }
}
