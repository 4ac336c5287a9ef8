/**
 * JSON text as the views show it: pretty-printed with two spaces. One home for it, shared by the panel (the
 * composer's value), the topic viewer and the schema details. Imports nothing, so the webview bundle can use it.
 */
export function prettyJson(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined; // not JSON
  }
}
