import * as crypto from 'node:crypto';
import { BENCH_STACK, CfnTemplate } from './footprint';

/**
 * IAM policy sizes as IAM judges them: each policy document with its intrinsics replaced by values of
 * realistic length (the names and ARNs CloudFormation would generate), minified, in characters.
 *
 * IAM's limits: the inline policies of one role may total 10,240 characters (AWS::IAM::Role `Policies`
 * plus every AWS::IAM::Policy attached to the role); a managed policy may hold 6,144.
 */
export const ROLE_INLINE_LIMIT = 10_240;
export const MANAGED_POLICY_LIMIT = 6_144;

export interface PolicySizes {
  /** Aggregate inline policy characters per role (logical id), largest first. */
  readonly roles: ReadonlyArray<{ readonly role: string; readonly chars: number }>;
  /** Characters per AWS::IAM::ManagedPolicy (logical id), largest first. */
  readonly managed: ReadonlyArray<{ readonly policy: string; readonly chars: number }>;
}

export function largestRoleInline(sizes: PolicySizes): number {
  return sizes.roles[0]?.chars ?? 0;
}

export function largestManaged(sizes: PolicySizes): number {
  return sizes.managed[0]?.chars ?? 0;
}

export function measurePolicies(template: CfnTemplate): PolicySizes {
  const render = new IntrinsicRenderer(template);
  const perRole = new Map<string, number>();
  const managed: Array<{ policy: string; chars: number }> = [];
  const add = (role: string, chars: number) => perRole.set(role, (perRole.get(role) ?? 0) + chars);

  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        add(id, 0);
        for (const policy of (props.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []) {
          add(id, render.size(policy.PolicyDocument));
        }
        break;
      case 'AWS::IAM::Policy': {
        const chars = render.size(props.PolicyDocument);
        for (const role of (props.Roles as unknown[] | undefined) ?? []) add(roleId(role, id), chars);
        break;
      }
      case 'AWS::IAM::ManagedPolicy':
        managed.push({ policy: id, chars: render.size(props.PolicyDocument) });
        break;
    }
  }
  return {
    roles: [...perRole].map(([role, chars]) => ({ role, chars })).sort((a, b) => b.chars - a.chars),
    managed: managed.sort((a, b) => b.chars - a.chars),
  };
}

function roleId(reference: unknown, policyId: string): string {
  const ref = (reference as { Ref?: unknown } | null)?.Ref;
  if (typeof ref !== 'string') throw new Error(`policy ${policyId}: \`Roles\` must hold { Ref: <role> } entries, got ${JSON.stringify(reference)}`);
  return ref;
}

/**
 * Replaces CloudFormation intrinsics with the values a deployment would give them. Generated names follow
 * CloudFormation's pattern `<stack>-<logical id>-<12 random characters>`, cut to the service's limit;
 * secret ARNs are 90 characters (a 30-character name, a dash and Secrets Manager's 6-character suffix).
 */
class IntrinsicRenderer {
  constructor(private readonly template: CfnTemplate) {}

  /** Minified size in characters: IAM does not count whitespace. */
  public size(document: unknown): number {
    return JSON.stringify(this.render(document)).length;
  }

  private render(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.render(item));
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    if (entries.length === 1 && (entries[0][0] === 'Ref' || entries[0][0].startsWith('Fn::'))) {
      return this.intrinsic(entries[0][0], entries[0][1]);
    }
    return Object.fromEntries(entries.map(([key, item]) => [key, this.render(item)]));
  }

  private intrinsic(name: string, argument: unknown): string | unknown[] {
    switch (name) {
      case 'Ref':
        return this.ref(String(argument));
      case 'Fn::GetAtt': {
        const [id, attribute] = argument as [string, string];
        return this.getAtt(id, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        return (this.render(parts) as unknown[]).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number | string, unknown];
        return (this.render(list) as unknown[])[Number(index)] as string;
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        return String(this.render(text)).split(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = typeof argument === 'string' ? [argument, {}] : argument as [string, Record<string, unknown>];
        return text.replace(/\$\{([^}]+)\}/g, (_, expression: string) => {
          if (Object.hasOwn(variables, expression)) return String(this.render(variables[expression]));
          const dot = expression.indexOf('.');
          return dot < 0 ? this.ref(expression) : this.getAtt(expression.slice(0, dot), expression.slice(dot + 1));
        });
      }
      default:
        throw new Error(`cannot render intrinsic ${name} in a policy document: ${JSON.stringify(argument)}`);
    }
  }

  private ref(id: string): string {
    const { account, region, name: stackName } = BENCH_STACK;
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': region,
      'AWS::AccountId': account,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stackName,
      'AWS::StackId': `arn:aws:cloudformation:${region}:${account}:stack/${stackName}/${uuid(stackName)}`,
    };
    if (Object.hasOwn(pseudo, id)) return pseudo[id];
    const type = this.typeOf(id);
    switch (type) {
      case 'AWS::SecretsManager::Secret':
        return this.secretArn(id);
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${region}:${account}:stateMachine:${generatedName(id, 80)}`;
      case 'AWS::KMS::Key':
        return uuid(id);
      default:
        return generatedName(id, 64);
    }
  }

  private getAtt(id: string, attribute: string): string {
    const { account, region } = BENCH_STACK;
    const type = this.typeOf(id);
    const name = generatedName(id, 64);
    const arns: Record<string, string> = {
      'AWS::Lambda::Function': `arn:aws:lambda:${region}:${account}:function:${name}`,
      'AWS::IAM::Role': `arn:aws:iam::${account}:role/${name}`,
      'AWS::Logs::LogGroup': `arn:aws:logs:${region}:${account}:log-group:${generatedName(id, 512)}:*`,
      'AWS::KMS::Key': `arn:aws:kms:${region}:${account}:key/${uuid(id)}`,
      'AWS::StepFunctions::StateMachine': this.ref(id),
      'AWS::SecretsManager::Secret': this.secretArn(id),
    };
    if (attribute === 'Arn' && Object.hasOwn(arns, type)) return arns[type];
    if (attribute === 'Name' || attribute === 'RoleId' || attribute === 'GroupId') return name;
    throw new Error(`cannot render Fn::GetAtt ${id}.${attribute} (${type}) in a policy document`);
  }

  private secretArn(id: string): string {
    const prefix = `arn:aws:secretsmanager:${BENCH_STACK.region}:${BENCH_STACK.account}:secret:`;
    const name = `${id}-${randomChars(id, 30)}`.slice(0, 30);
    return `${prefix}${name}-${randomChars(`${id}/suffix`, 6)}`;
  }

  private typeOf(id: string): string {
    const resource = this.template.Resources[id];
    if (!resource) throw new Error(`policy document refers to ${id}, which is not a resource of the template`);
    return resource.Type;
  }
}

/** CloudFormation's generated physical name: `<stack>-<logical id>-<12 random>`, the middle cut to fit `limit`. */
function generatedName(logicalId: string, limit: number): string {
  const suffix = `-${randomChars(logicalId, 12)}`;
  return `${BENCH_STACK.name}-${logicalId}`.slice(0, limit - suffix.length) + suffix;
}

/** Stable pseudo-random alphanumerics, so every run renders the same sizes. */
function randomChars(seed: string, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = crypto.createHash('sha256').update(seed).digest();
  return Array.from({ length }, (_, i) => alphabet[bytes[i % bytes.length] % alphabet.length]).join('');
}

function uuid(seed: string): string {
  const hex = crypto.createHash('sha256').update(seed).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
