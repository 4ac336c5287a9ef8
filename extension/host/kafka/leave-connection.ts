/**
 * Before the active connection is left (Connect to another, Disconnect, the composer's picker, a sandbox command):
 * when sends still run on it, the user says whether to cancel them first. They keep their cluster either way.
 */
import * as vscode from 'vscode';
import type { WhileSending, WorkbenchService } from './workbench-service';

const CANCEL = 'Cancel and Switch';
const FINISH = 'Let It Finish There';

/**
 * What becomes of the sends running on the active connection when it is left for `leavingFor` ('connecting to
 * "B"'): `given` answers without asking (a command argument: tests, other extensions); no sends need no answer.
 * Undefined when the user dismissed the question: stay on the connection.
 */
export async function whileSendingAnswer(
  service: WorkbenchService,
  leavingFor: string,
  given?: unknown,
): Promise<WhileSending | undefined> {
  if (given === 'cancel' || given === 'finish') return given;
  const running = service.sendsInProgress();
  const from = service.activeConnection();
  if (!from || running.length === 0) return 'finish';
  const what = running.length === 1 ? `"${running[0]}" is` : `${running.length} sends are`;
  const answer = await vscode.window.showWarningMessage(
    `${what} still running on "${from.name}". Cancel before ${leavingFor}?`,
    {
      modal: true,
      detail:
        `${CANCEL}: hand no more records to "${from.name}"; the records already handed over are still delivered there and reported as it answers.\n` +
        `${FINISH}: the rest are sent to "${from.name}" too.\nEither way nothing of it goes to the new connection.`,
    },
    CANCEL,
    FINISH,
  );
  return answer === CANCEL ? 'cancel' : answer === FINISH ? 'finish' : undefined;
}
