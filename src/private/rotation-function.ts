import * as crypto from 'node:crypto';
import * as path from 'node:path';
import {
  ArnFormat,
  Duration,
  FileSystem,
  Lazy,
  Stack,
  Annotations,
  Aspects,
  aws_ec2 as ec2,
  aws_iam as iam,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import {
  CreateUserSpec, FUNCTION_BUNDLES, FunctionBundle, OPTION_SETS_VARIABLE, PasswordOptionSet, RotationFunctionConfig, STRATEGIES, StrategyName,
  encodeRotationEnvironment, rotationFunctionTimeoutSeconds,
} from './contract';
import { acknowledge, acknowledgeFunctionFindings, acknowledgeWildcard, SECRETS_SCOPED_BY_CONDITION } from './nag';
import type { RotationFunctionFacts } from './rotation-target';
import { LibraryStrategyBinding } from './strategy-binding';

/** A bundled handler (built from lambda/ by esbuild at library build time), as shipped in the package. */
export function bundleAssetDir(bundle: FunctionBundle): string {
  return path.join(__dirname, '..', '..', 'assets', FUNCTION_BUNDLES[bundle]);
}

/**
 * The rotation function of one stack and strategy configuration, shared by every secret that uses it.
 *
 * Its permissions do not grow with the number of secrets: Secrets Manager access is granted on the
 * account's secrets with the condition `secretsmanager:resource/AllowRotationLambdaArn` = this function,
 * which is exactly the set of secrets whose rotation this function is configured for.
 */
export class RotationFunction extends Construct implements RotationFunctionFacts {
  /** The singleton for `binding` in the stack of `scope`, created on first use. */
  public static forStrategy(scope: Construct, binding: LibraryStrategyBinding): RotationFunction {
    const stack = Stack.of(scope);
    const key = configurationKey(binding);
    const functions = stack.node.children.filter((child): child is RotationFunction => child instanceof RotationFunction);
    const rotation = functions.find((candidate) => candidate.configurationKey === key)
      ?? new RotationFunction(stack, stableId(binding.config.strategy, functions), binding, key);
    rotation.allowMasterSecret(binding);
    return rotation;
  }

  public readonly kind = 'library';
  public readonly function: lambda.Function;
  public readonly logGroup: logs.LogGroup;
  /** Everything a rotation schedule must wait for before Secrets Manager may call this function. */
  public readonly readiness: IDependable[];
  /** Changes whenever the code or configuration of the function changes. */
  public readonly fingerprint: string;
  /** How long one step may run. */
  public readonly timeoutSeconds: number;

  private readonly configurationKey: string;
  private readonly secretsPolicy: iam.ManagedPolicy;
  private readonly keyArns = new Set<string>();
  private readonly secretArns: Array<string | undefined> = [];
  private readonly masterSecrets = new Set<secretsmanager.ISecret>();
  private readonly createUsers = new Map<string, CreateUserSpec>();
  private readonly optionSets = new Map<string, PasswordOptionSet>();
  private readonly optionSetBySecret = new Map<string, string>();
  private readonly connectedDatabases = new Set<ec2.IConnectable>();
  private readonly settings: LibraryStrategyBinding['config'];

  private constructor(scope: Construct, id: string, binding: LibraryStrategyBinding, key: string) {
    super(scope, id);
    this.configurationKey = key;
    this.settings = binding.config;
    const strategy = binding.config.strategy;
    const assetDir = bundleAssetDir(STRATEGIES[strategy].bundle);
    // Long enough for every login of a step to fail on its own connect timeout, so a failure is named, not timed out.
    this.timeoutSeconds = rotationFunctionTimeoutSeconds(strategy, binding.config.connectTimeoutSeconds);
    this.fingerprint = crypto.createHash('sha256').update(key).update(FileSystem.fingerprint(assetDir)).digest('hex').slice(0, 16);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_YEAR });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Rotates Secrets Manager secrets (${strategy} strategy)`,
      // Lambda checks the network-interface permissions when it creates a function in a VPC: attached up front.
      managedPolicies: binding.network ? [networkInterfacesPolicy(this)] : undefined,
    });

    this.function = new lambda.Function(this, 'Resource', {
      description: `Rotates Secrets Manager secrets (cdk-rotating-secrets, ${strategy} strategy)`,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(assetDir),
      memorySize: 256,
      timeout: Duration.seconds(this.timeoutSeconds),
      role,
      logGroup: this.logGroup,
      vpc: binding.network?.vpc,
      vpcSubnets: binding.network?.vpcSubnets,
      securityGroups: binding.network?.securityGroups,
    });
    if (binding.network) warnWithoutRoute(this, binding.network);
    // Every secret's option set and createUser spec joins the configuration when the stack is synthesized.
    (this.function.node.defaultChild as lambda.CfnFunction).addPropertyOverride('Environment.Variables', Lazy.any({
      produce: () => this.environment(),
    }));
    this.node.addValidation({ validate: () => this.optionSetsProblems() });

    // A policy attached after the function (not one of the role's own) so it can name the function without a
    // cycle: the function depends on its role, this policy on the function. Customer managed, not inline.
    this.secretsPolicy = new iam.ManagedPolicy(this, 'Policy', {
      description: `Rotation function of cdk-rotating-secrets (${strategy} strategy): its secrets and its logs`,
      roles: [role],
      statements: [
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [this.logGroup.logGroupArn],
        }),
        rotatedSecretsStatement(this, this.function.functionArn),
      ],
    });

    acknowledgeWildcard(this.secretsPolicy, 'AwsSolutions-IAM5', secretsInAccount(this), SECRETS_SCOPED_BY_CONDITION);
    acknowledgeWildcard(this.secretsPolicy, 'AwsSolutions-IAM5', this.logGroup.logGroupArn, 'Lambda names its log streams at run time; the statement is limited to this function\'s own log group.');
    acknowledgeFunctionFindings(this.function, this.logGroup, binding.network !== undefined);

    const permission = allowSecretsManagerToInvoke(this, this.function.functionArn, this.secretArns);
    this.readiness = [this.secretsPolicy, permission];
  }

  /** Opens the path from this function, when it is in a VPC, to a database (ingress there, egress here when needed). */
  public allowDatabase(connectable: ec2.IConnectable, port: number): void {
    if (this.function.isBoundToVpc === false || this.connectedDatabases.has(connectable)) return;
    this.connectedDatabases.add(connectable);
    for (const group of this.function.connections.securityGroups) {
      // An egress rule only where the group does not already allow all outbound (aws-cdk-lib warns on every synth
      // about a redundant one); the database's groups admit the function's either way.
      const source = group.allowAllOutbound ? new ec2.Connections({ peer: group }) : group;
      connectable.connections.allowFrom(source, ec2.Port.tcp(port), 'Secret rotation');
    }
  }

  /** Lets the function create the user a secret names, when it is missing (`createUser`). */
  public allowCreateUser(secretArn: string, spec: CreateUserSpec): void {
    this.createUsers.set(secretArn, spec);
  }

  /**
   * Declares a password option set in the function's environment (once per distinct set) and returns its id, which
   * the secret selects with its tag. The id is a hash of the options: stable, and the same set gets the same id.
   */
  public declareOptionSet(set: PasswordOptionSet): string {
    const id = optionSetId(set);
    this.optionSets.set(id, set);
    return id;
  }

  /** Selects a secret's option set in the function's configuration, for a secret the app cannot tag (imported). */
  public selectOptionSetByArn(secretArn: string, id: string): void {
    this.optionSetBySecret.set(secretArn, id);
  }

  private environment(): Record<string, string> {
    const config: RotationFunctionConfig = {
      ...this.settings,
      optionSets: Object.fromEntries(this.optionSets),
      ...(this.optionSetBySecret.size === 0 ? {} : { optionSetBySecret: Object.fromEntries(this.optionSetBySecret) }),
      ...(this.createUsers.size === 0 ? {} : { createUsers: Object.fromEntries(this.createUsers) }),
    };
    return encodeRotationEnvironment(config);
  }

  /** Lambda allows 4 KB of environment: the option sets may take half, leaving room for the other variables. */
  private optionSetsProblems(): string[] {
    const bytes = Buffer.byteLength(OPTION_SETS_VARIABLE) + Buffer.byteLength(this.environment()[OPTION_SETS_VARIABLE]);
    if (bytes <= MAX_OPTION_SETS_BYTES) return [];
    return [`The stack's secrets use ${this.optionSets.size} different password options with the ${this.settings.strategy} strategy: `
      + `their option sets take ${bytes} bytes of the rotation function's environment, more than ${MAX_OPTION_SETS_BYTES} (Lambda allows 4 KB in all). `
      + 'Give more secrets the same password options (`passwordLength`, `exclude*`, `includeSpace`, `requireEachIncludedType`, `generateStringKey`).'];
  }

  /** Lets the function read a master secret (alternating users), and decrypt it only through Secrets Manager. */
  private allowMasterSecret(binding: LibraryStrategyBinding): void {
    const master = binding.masterSecret;
    if (!master || this.masterSecrets.has(master)) return;
    this.masterSecrets.add(master);
    // A secret imported by name has a partial ARN: match the random suffix Secrets Manager adds.
    const arn = master.secretFullArn ?? `${master.secretArn}-??????`;
    this.secretsPolicy.addStatements(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [arn] }));
    if (master.encryptionKey) {
      const stack = Stack.of(this);
      this.secretsPolicy.addStatements(new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [master.encryptionKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` },
          StringLike: { 'kms:EncryptionContext:SecretARN': arn },
        },
      }));
    }
  }

  /**
   * Records a secret this function rotates: for the invoke permission and, if encrypted, its KMS key.
   * @param secretArn the complete ARN, or undefined when only a partial ARN is known (imported by name)
   */
  public addSecret(secretArn: string | undefined, encryptionKey?: kms.IKey): void {
    this.secretArns.push(secretArn);
    if (!encryptionKey || this.keyArns.has(encryptionKey.keyArn)) return;
    this.keyArns.add(encryptionKey.keyArn);
    this.secretsPolicy.addStatements(secretKeyStatement(this, encryptionKey));
  }
}

/**
 * What a rotation function does to the secrets it rotates, on the account's secrets with the condition
 * `secretsmanager:resource/AllowRotationLambdaArn` = the function: exactly the secrets configured to rotate with it.
 */
export function rotatedSecretsStatement(scope: Construct, functionArn: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    actions: [
      'secretsmanager:DescribeSecret',
      'secretsmanager:GetSecretValue',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
    ],
    resources: [secretsInAccount(scope)],
    conditions: { StringEquals: { 'secretsmanager:resource/AllowRotationLambdaArn': functionArn } },
  });
}

/**
 * The secrets' key, only through Secrets Manager, only for secrets: Secrets Manager itself then limits which secrets
 * (the AllowRotationLambdaArn condition), so the statement stays one per key, not per secret.
 */
export function secretKeyStatement(scope: Construct, encryptionKey: kms.IKey): iam.PolicyStatement {
  const stack = Stack.of(scope);
  return new iam.PolicyStatement({
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: [encryptionKey.keyArn],
    conditions: {
      StringEquals: { 'kms:ViaService': `secretsmanager.${stack.region}.${stack.urlSuffix}` },
      StringLike: { 'kms:EncryptionContext:SecretARN': secretsInAccount(scope) },
    },
  });
}

/**
 * Lets Secrets Manager invoke the function, with confused-deputy protection: the stack's account always, and the
 * secret too when the function rotates only one (whose complete ARN is known). `secretArns` is read at synth.
 */
export function allowSecretsManagerToInvoke(
  scope: Construct, functionArn: string, secretArns: ReadonlyArray<string | undefined>,
): lambda.CfnPermission {
  return new lambda.CfnPermission(scope, 'Invoke', {
    action: 'lambda:InvokeFunction',
    functionName: functionArn,
    principal: 'secretsmanager.amazonaws.com',
    sourceAccount: Stack.of(scope).account,
    sourceArn: Lazy.string({ produce: () => (secretArns.length === 1 ? secretArns[0] : undefined) }),
  });
}

/** `arn:<partition>:secretsmanager:<region>:<account>:secret:*` of the stack. */
export function secretsInAccount(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/**
 * A readable id that stays the same when the configuration changes, so the function, its role and its log
 * group are updated in place: `GenericRotation`, `PostgresSingleUserRotation`, then `...Rotation2` for a second
 * configuration of the same strategy in the stack.
 */
function stableId(strategy: StrategyName, existing: readonly RotationFunction[]): string {
  const base = `${strategy.split('-').map((word) => word[0].toUpperCase() + word.slice(1)).join('')}Rotation`;
  const taken = new Set(existing.map((fn) => fn.node.id));
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}${n}`;
  return id;
}

/** The most bytes the option sets may take of the function's environment (Lambda allows 4,096 for every variable). */
const MAX_OPTION_SETS_BYTES = 2048;

/** 8 hex digits of a hash of the set's options, every field included in a fixed order. */
function optionSetId(set: PasswordOptionSet): string {
  const policy = set.passwordPolicy as unknown as Record<string, unknown>;
  const fields = Object.keys(policy).sort().map((name) => [name, policy[name]]);
  return crypto.createHash('sha256').update(JSON.stringify([fields, set.generateStringKey ?? null])).digest('hex').slice(0, 8);
}

/**
 * What makes two strategies share a function: the same strategy (and connect timeout), the same network placement.
 * Password options do not: each secret selects its own set among those the function declares.
 */
function configurationKey(binding: LibraryStrategyBinding): string {
  const settings = binding.config as unknown as Record<string, unknown>;
  const sorted = Object.keys(settings).sort().map((name) => [name, settings[name]]);
  const placement = binding.network;
  const network = placement && {
    vpc: placement.vpc.node.addr,
    subnets: placement.vpcSubnets && Stack.of(placement.vpc).resolve(placement.vpc.selectSubnets(placement.vpcSubnets).subnetIds),
    securityGroups: placement.securityGroups?.map((group) => group.node.addr),
  };
  return crypto.createHash('sha256').update(JSON.stringify([sorted, network ?? null])).digest('hex');
}

/** A function in a VPC manages its network interfaces; EC2 offers no resource-level scoping for these. */
function networkInterfacesPolicy(scope: Construct): iam.ManagedPolicy {
  const policy = new iam.ManagedPolicy(scope, 'NetworkInterfaces', {
    description: 'Network interfaces of a rotation function in a VPC (cdk-rotating-secrets)',
    statements: [new iam.PolicyStatement({
      actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: ['*'],
    })],
  });
  acknowledge(policy, 'AwsSolutions-IAM5[Resource::*]', 'Lambda manages the network interfaces of a function in a VPC; EC2 does not scope these actions to resources.');
  return policy;
}

/** A function in a VPC needs a route to Secrets Manager: warn at synth when the chosen subnets have none. */
function warnWithoutRoute(scope: Construct, network: NonNullable<LibraryStrategyBinding['network']>): void {
  const { vpc, vpcSubnets } = network;
  const selected = vpc.selectSubnets(vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
  const isolated = new Set(vpc.isolatedSubnets.map((subnet) => subnet.node.addr));
  const routeless = selected.subnets.filter((subnet) => isolated.has(subnet.node.addr));
  if (routeless.length === 0) return;
  // Judged at synth, once the whole app (and any endpoint added after this secret) is known.
  Aspects.of(scope).add({
    visit: (node) => {
      if (node !== scope || hasSecretsManagerEndpoint(vpc)) return;
      Annotations.of(scope).addWarningV2('cdk-rotating-secrets:NoRouteToSecretsManager',
        'The rotation function is placed in isolated subnets with no route to Secrets Manager, so every rotation would time out. '
      + 'Add an interface endpoint (vpc.addInterfaceEndpoint(\'SecretsManager\', { service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER })) '
      + 'or choose subnets with a NAT gateway (vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS }).');
    },
  });
}

function hasSecretsManagerEndpoint(vpc: ec2.IVpc): boolean {
  return Stack.of(vpc).node.findAll().some((c) =>
    c instanceof ec2.InterfaceVpcEndpoint && JSON.stringify(Stack.of(c).resolve((c.node.defaultChild as ec2.CfnVPCEndpoint).serviceName)).includes('secretsmanager')
    && (c.node.defaultChild as ec2.CfnVPCEndpoint).vpcId === vpc.vpcId);
}
