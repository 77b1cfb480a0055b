// Saving something the page made (a chart's PNG) through an anchor: works in Electron and in a
// browser, with no server round trip, under the CSP (data: and blob: URLs are allowed images).

export function downloadDataUrl(url: string, fileName: string): void {
  const a = document.createElement('a')
  a.href = url
  a.download = fileName
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
}

/** A file name from a title: letters, digits, dot, dash and underscore only. */
export function fileSlug(title: string): string {
  return (
    title
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 60) || 'syscope'
  )
}
