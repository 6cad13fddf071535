/** One CSV field, quoted when it holds the delimiter, a quote, a line break or edge blanks (RFC 4180). */
export function csvField(text: string, delimiter = ','): string {
  if (text === '') return ''
  const needsQuotes =
    text.includes(delimiter) || text.includes('"') || text.includes('\n') || text.includes('\r') || text.charCodeAt(0) <= 32 || text.charCodeAt(text.length - 1) <= 32
  return needsQuotes ? `"${text.replace(/"/g, '""')}"` : text
}

export function csvLine(fields: string[], delimiter = ','): string {
  return fields.map((f) => csvField(f, delimiter)).join(delimiter) + '\n'
}
