// The main-process side of the contract, as plain Node: Electron's IPC handlers, the browser
// bridge and the tests all call these same methods (after validate.ts checked the arguments).
import { EventEmitter } from 'node:events'
import type { SyscopeApi } from '../../shared/contract'
import { SessionManager } from '../session/manager'
import type { EbpfOptions } from '../session/ebpf'
import { listProcesses } from '../processes'
import { ebpfReadiness } from '../doctor'
import { ApiError } from '../errors'
import { createSetup, type SetupService } from '../setup/service'

export interface BackendOptions {
  dataDir: string
  appPath?: string
  ebpf?: EbpfOptions
  /** the native file dialog (Electron); absent in the browser bridge */
  pickFile?: (purpose: 'program' | 'recording') => Promise<string | null>
  setup?: SetupService
}

/** The contract's methods as main implements them, plus what the hosts need to wire events. */
export type Backend = Omit<SyscopeApi, 'onTicks' | 'onEvent' | 'onOutput' | 'onEnded'> & {
  events: EventEmitter
  manager: SessionManager
  shutdown(): Promise<void>
}

export function createBackend(opts: BackendOptions): Backend {
  const manager = new SessionManager({ dataDir: opts.dataDir, ebpf: opts.ebpf })
  const setup = opts.setup ?? createSetup({ ebpf: opts.ebpf })
  return {
    events: manager.events,
    manager,
    ebpfStatus: () => ebpfReadiness(opts.ebpf),
    launch: async (req) => manager.info((await manager.launch(req)).store.id),
    attach: async (req) => manager.info((await manager.attach(req)).store.id),
    stop: (id) => manager.stop(id),
    detach: (id) => manager.detach(id),
    listSessions: async () => manager.list(),
    snapshot: async (id, maxPoints) => manager.snapshot(id, maxPoints),
    breakdown: async (id, from, to) => manager.breakdown(id, from, to),
    detail: (id, from, to, pid) => manager.detail(id, from, to, pid),
    latency: (id, from, to, pid) => manager.latency(id, from, to, pid),
    wallTime: (id, from, to) => manager.wallTime(id, from, to),
    disk: (id, from, to) => manager.disk(id, from, to),
    listProcesses: () => listProcesses(),
    listRecordings: async () => manager.listRecordings(),
    openRecording: async (path) => manager.open(path),
    exportRecording: async (id, format) => manager.exportSession(id, format),
    compare: async (a, b) => manager.compare(a, b),
    pickFile: async (purpose) => {
      if (!opts.pickFile) throw new ApiError('ENOTSUP', 'no file dialog here: type the path instead')
      return opts.pickFile(purpose)
    },
    setupDiagnose: () => setup.diagnose(),
    setupPlan: () => setup.plan(),
    setupApply: () => setup.apply(),
    setupUndo: () => setup.undo(),
    shutdown: () => manager.shutdown()
  }
}
