import type { Decision } from './evaluator';

/** One authorization the simulator decided, for tests and the least-privilege report. */
export interface IamDecision {
  /** Position in the log, from 1. */
  readonly sequence: number;
  /** Simulated time, epoch milliseconds. */
  readonly time: number;
  /** The caller as AWS's messages name it (user, role session or service principal). */
  readonly caller: string;
  /** The IAM user or role whose identity policies applied; undefined for a service principal. */
  readonly identity?: string;
  readonly action: string;
  readonly resource: string;
  /** `NotEvaluated` when the simulator did not know a policy the decision needs (say, the key policy of an imported key). */
  readonly decision: Decision | 'NotEvaluated';
  /** The statements that allowed the request, `<policy name>#<statement number or Sid>`. */
  readonly grants: readonly string[];
  /** For a denial, the kind of policy that denied it (`identity`, `resource`, ...). */
  readonly deniedBy?: string;
  /** Why the decision is NotEvaluated, or which of the caller's policies the simulator did not know. */
  readonly note?: string;
  /** The request context the decision was made with. */
  readonly context: Readonly<Record<string, string | string[]>>;
}

export interface IamDecisionQuery {
  readonly caller?: string;
  readonly action?: string;
  readonly decision?: IamDecision['decision'];
}

/** Every authorization decision, oldest first. */
export class DecisionLog {
  private readonly entries: IamDecision[] = [];

  public record(decision: Omit<IamDecision, 'sequence'>): IamDecision {
    const entry = { sequence: this.entries.length + 1, ...decision };
    this.entries.push(entry);
    return entry;
  }

  public query(query: IamDecisionQuery = {}): IamDecision[] {
    return this.entries.filter((entry) =>
      (query.caller === undefined || entry.caller === query.caller)
      && (query.action === undefined || entry.action === query.action)
      && (query.decision === undefined || entry.decision === query.decision));
  }
}
