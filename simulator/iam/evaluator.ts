import * as path from 'node:path';
import type { PolicyDocument } from './policy-providers';

/** The package that evaluates policies: AGPL-3.0, so a development dependency the published package never requires. */
export const EVALUATOR_PACKAGE = '@cloud-copilot/iam-simulate';
/** The version the simulator's use of the evaluator's engine was written and tested against. */
export const EVALUATOR_VERSION = '0.1.173';

/** A policy with the name the decision log shows for it. */
export interface NamedPolicy {
  readonly name: string;
  readonly document: PolicyDocument;
}

/** One request to evaluate: who, what, on which resource, with which request context, under which policies. */
export interface EvaluationInput {
  /** An IAM user or role session ARN, or a service principal (`secretsmanager.amazonaws.com`). */
  readonly principal: string;
  readonly action: string;
  /** The resource ARN, or `*` for actions AWS does not scope to a resource. */
  readonly resource: string;
  readonly resourceAccount: string;
  readonly context: Readonly<Record<string, string | string[]>>;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly resourcePolicy?: PolicyDocument;
}

export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface Evaluation {
  readonly decision: Decision;
  /** For a denial: the kind of policy that denied (`identity`, `resource`, ...), as AWS's message names it. */
  readonly deniedBy?: string;
  /** For an allowed request: the statements that allowed it, `<policy name>#<statement number or Sid>`. */
  readonly grants: readonly string[];
}

export interface Evaluator {
  /** e.g. `@cloud-copilot/iam-simulate 0.1.173` */
  readonly description: string;
  evaluate(input: EvaluationInput): Evaluation;
}

/** The evaluator, or why it cannot be loaded (not installed, or a version whose engine differs). */
export type LoadedEvaluator = { readonly evaluator: Evaluator } | { readonly unavailable: string };

let loaded: LoadedEvaluator | undefined;

/**
 * Loads the evaluator if it is installed. The simulator calls its engine (`authorize`) rather than its
 * `runSimulation`: the latter drops request-context keys whose variable part follows a colon, such as
 * `kms:EncryptionContext:SecretARN`, which our KMS conditions need (see simulator/README.md, IAM enforcement).
 */
export function loadEvaluator(): LoadedEvaluator {
  loaded ??= tryLoad();
  return loaded;
}

function tryLoad(): LoadedEvaluator {
  let entry: string;
  try {
    entry = require.resolve(EVALUATOR_PACKAGE);
  } catch {
    return { unavailable: `the IAM evaluator ${EVALUATOR_PACKAGE} is not installed (npm install ${EVALUATOR_PACKAGE}@${EVALUATOR_VERSION} enables enforcement)` };
  }
  try {
    const dist = path.dirname(entry);
    const engine = loadModule(path.join(dist, 'core_engine', 'CoreSimulatorEngine.js'));
    const { AwsRequestImpl } = loadModule(path.join(dist, 'request', 'request.js'));
    const { RequestContextImpl } = loadModule(path.join(dist, 'requestContext.js'));
    const { DiscoveryContextKeyConstraints } = loadModule(path.join(dist, 'context_keys', 'discoveryContextKeyConstraints.js'));
    const { getDenialReasons, getGrantReasons } = loadModule(entry);
    const { loadPolicy } = loadModule('@cloud-copilot/iam-policy');
    const version = installedVersion(dist);
    return {
      evaluator: {
        description: `${EVALUATOR_PACKAGE} ${version}`,
        evaluate(input) {
          const identityPolicies = input.identityPolicies.map((policy) => loadPolicy(policy.document, { name: policy.name }));
          const analysis = engine.authorize({
            request: new AwsRequestImpl(
              input.principal,
              { resource: input.resource, accountId: input.resourceAccount },
              input.action,
              new RequestContextImpl(input.context),
              input.resource === '*',
            ),
            sessionPolicy: undefined,
            identityPolicies,
            serviceControlPolicies: [],
            resourceControlPolicies: [],
            resourcePolicy: input.resourcePolicy ? loadPolicy(input.resourcePolicy, { name: 'resource policy' }) : undefined,
            permissionBoundaries: undefined,
            vpcEndpointPolicies: undefined,
            simulationParameters: { simulationMode: 'Strict', discoveryContextKeyConstraints: new DiscoveryContextKeyConstraints([]) },
            serviceSettings: { s3: {} },
          });
          const decision = analysis.result as Decision;
          if (decision === 'Allowed') {
            const grants = getGrantReasons(analysis).map((grant: any) =>
              `${grant.policyType === 'resource' ? 'resource policy' : grant.policyIdentifier}#${grant.statementId ?? grant.statementIndex}`);
            return { decision, grants };
          }
          const reasons = getDenialReasons(analysis) as Array<{ policyType: string; denialType: string }>;
          const denial = reasons.find((reason) => reason.denialType === 'Explicit') ?? reasons[0];
          // A cross-account request its identity allows, without a resource policy, is denied by the missing resource policy.
          const deniedBy = denial?.policyType ?? (analysis.identityAnalysis?.result === 'Allowed' ? 'resource' : 'identity');
          return { decision, deniedBy, grants: [] };
        },
      },
    };
  } catch (error) {
    return { unavailable: `the installed ${EVALUATOR_PACKAGE} cannot be used (${(error as Error).message}); version ${EVALUATOR_VERSION} is supported` };
  }
}

function installedVersion(dist: string): string {
  try {
    // dist/cjs/index.js → the package root's package.json
    return loadModule(path.join(dist, '..', '..', 'package.json')).version;
  } catch {
    return 'unknown version';
  }
}

/** A module of the evaluator, loaded at run time: an optional package, never bundled. */
function loadModule(id: string): any {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(id);
}
