/** The client.id the extension's connections and producers send when none is configured. */
export const DEFAULT_CLIENT_ID = 'kafka-workbench';

/** The command line's, so a broker's logs and quotas tell it from the extension. */
export const CLI_CLIENT_ID = 'kafka-workbench-cli';

/** The configured client id, or the default when it is missing or blank. */
export function clientIdOrDefault(clientId: string | undefined | null): string {
  return clientId?.trim() ? clientId : DEFAULT_CLIENT_ID;
}
