/** The webview's side of the protocol: typed posts, requests with ids answered by `response`, and persisted state. */
import type {
  HostToWebview,
  ResultOf,
  WebviewError,
  WebviewRequest,
  WebviewToHost,
} from '../extension/protocol/messages';
import { isHostPush, RequestTracker, type HostPush } from './state';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

type RequestType = WebviewRequest['type'];
type ParamsOf<T extends RequestType> = Omit<Extract<WebviewRequest, { type: T }>, 'type' | 'requestId'>;

export class HostChannel {
  private readonly api = acquireVsCodeApi();
  private readonly tracker = new RequestTracker();

  constructor(private readonly onPush: (m: HostPush) => void) {
    window.addEventListener('message', (event: MessageEvent<unknown>) => this.receive(event.data));
  }

  post(message: WebviewToHost): void {
    this.api.postMessage(message);
  }

  /** Sends a request; resolves with the host's result or rejects with its WebviewError. */
  request<T extends RequestType>(type: T, params: ParamsOf<T>): Promise<ResultOf[T]> {
    const { requestId, promise } = this.tracker.start();
    this.api.postMessage({ type, requestId, ...params });
    return promise as Promise<ResultOf[T]>;
  }

  getState(): unknown {
    return this.api.getState();
  }

  setState(state: unknown): void {
    this.api.setState(state);
  }

  private receive(data: unknown): void {
    // Messages only come from our host, but check the shape anyway: a bad one is dropped, not trusted.
    if (typeof data !== 'object' || data === null || typeof (data as { type?: unknown }).type !== 'string') return;
    const m = data as HostToWebview;
    if (m.type === 'response') {
      if (typeof m.requestId !== 'number') return;
      this.tracker.settle(m.requestId, m.ok, m.ok ? m.result : (m.error as WebviewError));
      return;
    }
    if (isHostPush(m.type)) this.onPush(m);
  }
}
