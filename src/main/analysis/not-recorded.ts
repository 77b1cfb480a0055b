// Why a pane has no figures for a session: one sentence for every monitor that needs eBPF.
import type { EbpfStatus } from '../../shared/contract'

/** "... wall time needs eBPF." or "This session did not record wall time (...)." */
export function notRecorded(ebpf: EbpfStatus | undefined, what: string): string {
  return !ebpf?.ready
    ? `Syscalls were not traced in this session: ${what} needs eBPF.`
    : `This session did not record ${what} (the tracepoint mode, or a recording from before it was kept).`
}
