/** The IPC messages between the simulator and a function's child process (function-runtime.ts). */

/** Simulator → child: run the handler once. */
export interface InvokeMessage {
  readonly type: 'invoke';
  readonly requestId: string;
  readonly event: unknown;
  readonly functionArn: string;
  /** Epoch milliseconds when the invocation times out, for `context.getRemainingTimeInMillis()`. */
  readonly deadline: number;
}

/** Child → simulator: logs in order, then the invocation's result; `fatal` just before the process exits. */
export type ChildMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'log'; readonly text: string }
  | { readonly type: 'result'; readonly requestId: string; readonly ok: true; readonly result: unknown }
  | { readonly type: 'result'; readonly requestId: string; readonly ok: false; readonly errorType: string; readonly errorMessage: string; readonly trace?: string[] }
  | { readonly type: 'fatal'; readonly requestId?: string; readonly errorType: string; readonly errorMessage: string };
