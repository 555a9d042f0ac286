/**
 * The events and answers of aws-cdk-lib's custom-resources Provider framework, reduced to what this
 * handler reads and returns.
 */

/** The event `onEvent` receives (the CloudFormation request without its ResponseURL's use). */
export interface CustomResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  /** Sent with Update and Delete. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Readonly<Record<string, unknown>>;
  /** Sent with Update. */
  readonly OldResourceProperties?: Readonly<Record<string, unknown>>;
}

/** Attributes returned to CloudFormation (`Fn::GetAtt`); always strings. */
export type ResourceData = Readonly<Record<string, string>>;

export interface OnEventResult {
  readonly PhysicalResourceId?: string;
  readonly Data?: ResourceData;
}

/** The event `isComplete` receives: the request merged with onEvent's answer. */
export interface IsCompleteEvent extends CustomResourceEvent {
  readonly Data?: Readonly<Record<string, unknown>>;
}

export interface IsCompleteResult {
  readonly IsComplete: boolean;
  /** Merged over onEvent's Data; only allowed when IsComplete is true. */
  readonly Data?: ResourceData;
}
