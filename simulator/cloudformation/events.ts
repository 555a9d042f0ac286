import { randomUUID } from 'node:crypto';

export type StackStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'ROLLBACK_IN_PROGRESS' | 'ROLLBACK_COMPLETE' | 'ROLLBACK_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_COMPLETE'
  | 'UPDATE_ROLLBACK_IN_PROGRESS' | 'UPDATE_ROLLBACK_FAILED' | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS' | 'UPDATE_ROLLBACK_COMPLETE'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED';

export type ResourceStatus =
  | 'CREATE_IN_PROGRESS' | 'CREATE_COMPLETE' | 'CREATE_FAILED'
  | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED'
  | 'DELETE_IN_PROGRESS' | 'DELETE_COMPLETE' | 'DELETE_FAILED' | 'DELETE_SKIPPED';

/** One stack event, with DescribeStackEvents' fields. The stack's own events have its name as logical id. */
export interface StackEvent {
  readonly eventId: string;
  readonly stackName: string;
  readonly stackId: string;
  readonly logicalResourceId: string;
  readonly physicalResourceId?: string;
  readonly resourceType: string;
  /** Simulated time, epoch milliseconds. */
  readonly timestamp: number;
  readonly resourceStatus: StackStatus | ResourceStatus;
  readonly resourceStatusReason?: string;
}

export const STACK_RESOURCE_TYPE = 'AWS::CloudFormation::Stack';

/** The events of every stack, oldest first, and the listeners that follow them. */
export class StackEventLog {
  private readonly all: StackEvent[] = [];
  private readonly listeners: Array<(event: StackEvent) => void> = [];

  constructor(private readonly now: () => number) {}

  public record(event: Omit<StackEvent, 'eventId' | 'timestamp'>): void {
    const complete: StackEvent = { eventId: randomUUID(), timestamp: this.now(), ...event };
    this.all.push(complete);
    for (const listener of this.listeners) listener(complete);
  }

  public onEvent(listener: (event: StackEvent) => void): void {
    this.listeners.push(listener);
  }

  /** A stack's events (by name or id), oldest first (DescribeStackEvents answers newest first). */
  public of(stack: string): StackEvent[] {
    return this.all.filter((event) => event.stackName === stack || event.stackId === stack);
  }
}

/** A line like the CDK CLI's progress output: `Stack | 10:33:21 | CREATE_COMPLETE | AWS::Type | Logical (reason)`. */
export function formatStackEvent(event: StackEvent): string {
  const time = new Date(event.timestamp).toISOString().slice(11, 19);
  const reason = event.resourceStatusReason ? ` ${event.resourceStatusReason}` : '';
  return `${event.stackName} | ${time} | ${event.resourceStatus.padEnd(44)} | ${event.resourceType.padEnd(40)} | ${event.logicalResourceId}${reason}`;
}
