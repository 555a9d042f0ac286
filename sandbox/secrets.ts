import type { Template } from '../simulator/cloudformation/template';
import { strategyOfEnvironment } from '../src/private/contract';

/** A rotating secret of a stack: the secret a RotationSchedule rotates, and how. */
export interface RotatingSecretPlan {
  readonly stackName: string;
  readonly secretLogicalId: string;
  readonly scheduleLogicalId: string;
  /** `generic`, a database strategy, `hosted` (HostedRotation), or `custom` (a rotation function of another origin). */
  readonly strategy: string;
}

type Resources = Template['Resources'];

/** Every secret of the template that a rotation schedule rotates, with the strategy its function names. */
export function rotatingSecretsOf(stackName: string, template: Template): RotatingSecretPlan[] {
  const resources = template.Resources;
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === 'AWS::SecretsManager::RotationSchedule')
    .map(([scheduleLogicalId, schedule]) => ({
      stackName,
      scheduleLogicalId,
      secretLogicalId: refOf(schedule.Properties?.SecretId) ?? `${scheduleLogicalId} (a secret of another stack or account)`,
      strategy: strategyOf(schedule.Properties ?? {}, resources),
    }));
}

function strategyOf(schedule: Record<string, any>, resources: Resources): string {
  if (schedule.HostedRotationLambda !== undefined) return 'hosted';
  const functionId = getAttOf(schedule.RotationLambdaARN) ?? refOf(schedule.RotationLambdaARN);
  type FunctionProperties = { Environment?: { Variables?: Record<string, unknown> } };
  const properties = functionId === undefined ? undefined : resources[functionId]?.Properties as FunctionProperties | undefined;
  const environment = properties?.Environment?.Variables;
  return (environment && strategyOfEnvironment(environment)) ?? 'custom';
}

export function refOf(value: unknown): string | undefined {
  const ref = (value as { Ref?: unknown } | undefined)?.Ref;
  return typeof ref === 'string' ? ref : undefined;
}

export function getAttOf(value: unknown): string | undefined {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) ? String(getAtt[0]) : undefined;
}
