/** A CloudFormation template as JSON, with the sections this deployer reads. */
export interface Template {
  readonly AWSTemplateFormatVersion?: string;
  readonly Description?: string;
  readonly Transform?: string | string[];
  readonly Parameters?: Record<string, ParameterDeclaration>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Conditions?: Record<string, unknown>;
  readonly Rules?: Record<string, unknown>;
  readonly Resources: Record<string, ResourceDeclaration>;
  readonly Outputs?: Record<string, OutputDeclaration>;
}

export interface ParameterDeclaration {
  readonly Type: string;
  readonly Default?: unknown;
  readonly AllowedValues?: unknown[];
  readonly NoEcho?: boolean;
}

export type DeletionPolicy = 'Delete' | 'Retain' | 'RetainExceptOnCreate' | 'Snapshot';

export interface ResourceDeclaration {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DependsOn?: string | string[];
  readonly Condition?: string;
  readonly DeletionPolicy?: DeletionPolicy;
  readonly UpdateReplacePolicy?: DeletionPolicy;
  readonly Metadata?: Record<string, unknown>;
}

export interface OutputDeclaration {
  readonly Value: unknown;
  readonly Description?: string;
  readonly Condition?: string;
  readonly Export?: { readonly Name: unknown };
}

/**
 * A template or input that CloudFormation refuses before any resource is touched (CreateStack/UpdateStack
 * answer a ValidationError): the deployer throws it instead of failing the stack.
 */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ValidationError';
  }
}

const POLICIES: readonly string[] = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];

/** Checks the structure CloudFormation checks before it starts, so that every later failure is a resource's. */
export function validateTemplate(template: unknown): Template {
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    throw new TemplateError('Template format error: the template must be a JSON object');
  }
  const resources = (template as Template).Resources;
  if (typeof resources !== 'object' || resources === null || Object.keys(resources).length === 0) {
    throw new TemplateError('Template format error: At least one Resources member must be defined.');
  }
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!/^[A-Za-z0-9]{1,255}$/.test(logicalId)) {
      throw new TemplateError(`Template format error: Resource name ${logicalId} is non alphanumeric.`);
    }
    if (typeof resource?.Type !== 'string') {
      throw new TemplateError(`Template format error: [/Resources/${logicalId}] Every Resources object must contain a Type member.`);
    }
    for (const attribute of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      const policy = resource[attribute];
      if (policy !== undefined && !POLICIES.includes(policy)) {
        throw new TemplateError(`Template format error: [/Resources/${logicalId}/${attribute}] Unrecognized value ${JSON.stringify(policy)}`);
      }
    }
    if (resource.Condition !== undefined && (template as Template).Conditions?.[resource.Condition] === undefined) {
      throw new TemplateError(`Template format error: Unresolved condition dependency ${resource.Condition} in Resources block of the template`);
    }
  }
  return template as Template;
}

/** DependsOn as a list. */
export function dependsOnOf(resource: ResourceDeclaration): string[] {
  if (resource.DependsOn === undefined) return [];
  return Array.isArray(resource.DependsOn) ? resource.DependsOn : [resource.DependsOn];
}

/** The transforms a template declares. */
export function transformsOf(template: Template): string[] {
  if (template.Transform === undefined) return [];
  return Array.isArray(template.Transform) ? template.Transform : [template.Transform];
}

/** The resource types each transform this deployer cannot run serves: recorded, not simulated. */
export const UNSIMULATED_TRANSFORMS: Readonly<Record<string, (resource: ResourceDeclaration) => boolean>> = {
  // Turns a RotationSchedule's HostedRotationLambda into a nested stack with AWS's rotation function.
  'AWS::SecretsManager-2020-07-23': (resource) =>
    resource.Type === 'AWS::SecretsManager::RotationSchedule' && resource.Properties?.HostedRotationLambda !== undefined,
};
