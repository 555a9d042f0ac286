/** The figures one benchmark run produces: printed as markdown, and kept as JSON in the results file. */

export interface FootprintPoint {
  readonly count: number;
  readonly resources: number;
  readonly bytes: number;
  readonly lambdaFunctions: number;
  /** Largest aggregate of inline policies on one role, rendered with realistic ARNs (characters). */
  readonly largestRoleInline: number;
  /** Largest managed policy, rendered (characters); 0 when there is none. */
  readonly largestManaged: number;
  readonly managedPolicies: number;
}

export interface ApproachFootprint {
  readonly key: string;
  readonly label: string;
  readonly nestedStackPerSecret: boolean;
  readonly points: FootprintPoint[];
  /** From the first to the last point. */
  readonly resourcesPerSecret: number;
  readonly bytesPerSecret: number;
  /** Least squares over every point: differs from the above only if growth is not linear. */
  readonly resourcesPerSecretFit: number;
  readonly bytesPerSecretFit: number;
  /** Resources of the stack with no secret (the fit's intercept). */
  readonly resourcesPerStack: number;
  /** Template bytes of the stack with no secret (the fit's intercept). */
  readonly bytesPerStack: number;
  /** Smallest N over CloudFormation's 500 resources, from the fit. */
  readonly firstCountOverLimit: number;
  /** cfn-lint's findings at the largest N, by rule. */
  readonly lintFindings: Record<string, number>;
}

/** One fixed app's template. */
export interface ExampleFootprint {
  readonly resources: number;
  readonly bytes: number;
  readonly lambdaFunctions: number;
}

export interface SynthTiming {
  readonly key: string;
  readonly count: number;
  readonly runsMs: number[];
  readonly medianMs: number;
}

export interface BundleFigures {
  readonly key: string;
  readonly label: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly medianRequireMs: number;
  readonly medianFirstCallMs: number;
  readonly medianColdMs: number;
  readonly minColdMs: number;
  readonly maxColdMs: number;
  readonly medianWallMs: number;
  /** Whether the measured rotations completed (only bundles that rotate in the benchmark). */
  readonly rotationsSucceeded?: boolean;
}

export interface ApiCallFigures {
  readonly byOperation: Record<string, number>;
  readonly total: number;
  readonly unattributed: number;
  readonly rotations: number;
  readonly awsTemplateTotal: number;
}

export interface VerificationFigures {
  /** The construct's default poll interval: the longest wait between two looks. */
  readonly intervalMs: number;
  readonly rotations: number;
  readonly medianDelayMs: number;
  readonly maxDelayMs: number;
  /** Largest (delay - interval): the time a look, the tag and the answer take beyond one interval. */
  readonly maxExcessMs: number;
}

/** What one PostgreSQL secret on a new RDS instance adds to the instance's stack, by approach. */
export interface DatabaseFootprint {
  readonly key: string;
  readonly label: string;
  readonly addedResources: number;
  readonly addedBytes: number;
}

export interface TargetResult {
  readonly target: string;
  readonly measured: string;
  /** The figure compared, for the comparison with the last run. */
  readonly value: number;
  readonly met: boolean;
}

export interface BenchResults {
  readonly meta: {
    readonly date: string;
    readonly machine: string;
    readonly versions: Record<string, string>;
    /** The library's code that was measured (commit, and whether src/ or lambda/ had uncommitted changes). */
    readonly code: string;
    readonly command: string;
    readonly settings: Record<string, number>;
    /** Bundles older than a handler source file: the rotation figures would be of old code. */
    readonly staleAssets: string[];
  };
  readonly footprint: ApproachFootprint[];
  readonly databaseFootprint: DatabaseFootprint[];
  /** Bytes per added secret of the hand-rolled baseline with `cdk init`'s recommended feature flags. */
  readonly handRolledRecommendedFlagsBytesPerSecret: number;
  /** The README's three secrets with three password options; absent from runs before it was measured. */
  readonly readmeExample?: ExampleFootprint;
  readonly synth: SynthTiming[];
  readonly bundles: BundleFigures[];
  readonly coldStartRatio: number;
  readonly apiCalls: ApiCallFigures;
  readonly verification: VerificationFigures;
  readonly targets: TargetResult[];
}
