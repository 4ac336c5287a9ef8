/**
 * What Restricted Mode allows, in one place: nothing from the workspace connects or sends by itself. An environment
 * file may not pick the cluster, and a send goes only to a connection the user chose.
 */
import { InvalidInputError } from '../../core/util/errors';

export const RESTRICTED_ENVIRONMENT =
  'This workspace is in Restricted Mode: an environment file may not pick the cluster; trust the workspace or clear the environment.';
export const RESTRICTED_CONNECT_FIRST = 'This workspace is in Restricted Mode: connect explicitly before sending.';

export class TrustPolicy {
  constructor(readonly trusted: () => boolean) {}

  /** Connecting to the cluster an environment file names. */
  checkEnvironmentCluster(): void {
    if (!this.trusted()) throw new InvalidInputError(RESTRICTED_ENVIRONMENT);
  }

  /**
   * A send: to an environment file's cluster (`environmentConfig`) only when trusted; else to the active connection,
   * which in Restricted Mode must exist (the user connected), never one made for the send.
   */
  checkSend(target: { environmentConfig?: unknown; connected: boolean }): void {
    if (this.trusted()) return;
    if (target.environmentConfig) throw new InvalidInputError(RESTRICTED_ENVIRONMENT);
    if (!target.connected) throw new InvalidInputError(RESTRICTED_CONNECT_FIRST);
  }
}
