// The launch and attach requests' fields for the helper's modes (TraceModes.vue): set only when
// eBPF is on and the mode is chosen, as the CLI's --detail and --counts-only.
export function traceModeFields(ebpf: boolean, detail: boolean, countsOnly: boolean): { detail?: true; countsOnly?: true } {
  if (!ebpf) return {}
  return { ...(detail ? { detail: true } : {}), ...(countsOnly ? { countsOnly: true } : {}) }
}
