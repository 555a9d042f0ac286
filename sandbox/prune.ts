import { isDeepStrictEqual } from 'node:util';
import { RotatingSecretPlan, refOf } from './secrets';
import { referencesOf } from '../simulator/cloudformation/intrinsics';
import { dependsOnOf, Template } from '../simulator/cloudformation/template';
import { CHECK_PROPERTY_NAMES, CHECK_RESOURCE_TYPE, CHECKED_SECRET_PROPERTY_NAMES, REDIS_FAMILY, STRATEGIES, StrategyFacts } from '../src/private/contract';

/** A rotating secret this machine cannot run, and why. */
export interface SkippedSecret {
  readonly plan: RotatingSecretPlan;
  readonly reason: string;
}

/** Engines of the RDS resource types, and which local server would serve them. */
const RDS_TYPES = new Set(['AWS::RDS::DBInstance', 'AWS::RDS::DBCluster']);
/** Not simulated: a Redshift strategy runs here only against an endpoint that a local server answers on. */
const REDSHIFT_CLUSTER = 'AWS::Redshift::Cluster';

/**
 * Why each rotating secret of the template cannot run here: a hosted rotation (its function is made by a
 * CloudFormation transform in AWS), a secret imported from outside the app (its value is unknown here), a database
 * whose engine this machine cannot serve (`databaseUnavailable` says why for an RDS resource's Engine; a Redshift
 * cluster is never served), or a database
 * outside the app (an endpoint by name) that no server answers on here.
 */
export async function unsupportedSecrets(
  template: Template,
  plans: readonly RotatingSecretPlan[],
  databaseUnavailable: (engine: string) => Promise<string | undefined>,
  endpointUnreachable: (host: string, port: number) => Promise<boolean>,
): Promise<SkippedSecret[]> {
  const resources = template.Resources;
  const unavailable = new Map<string, string>();
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type === REDSHIFT_CLUSTER) unavailable.set(logicalId, 'the local cloud runs no Amazon Redshift cluster');
    if (!RDS_TYPES.has(resource.Type) || resource.Properties?.DBClusterIdentifier !== undefined) continue;
    const reason = await databaseUnavailable(String(resource.Properties?.Engine ?? ''));
    if (reason !== undefined) unavailable.set(logicalId, reason);
  }
  const skipped: SkippedSecret[] = [];
  for (const plan of plans) {
    if (plan.strategy === 'hosted') {
      skipped.push({ plan, reason: 'hosted rotation: its function is made by a CloudFormation transform in AWS, not in this app' });
    } else if (resources[plan.secretLogicalId]?.Type !== 'AWS::SecretsManager::Secret') {
      skipped.push({ plan, reason: 'the secret is imported from outside the app, so its value is not known here' });
    } else if ((STRATEGIES as Record<string, StrategyFacts>)[plan.strategy]?.family === REDIS_FAMILY) {
      skipped.push({ plan, reason: 'Redis strategies create no user, and no Redis user here has the password this app\'s deploy generates for the secret' });
    } else {
      const entries = checkEntriesOf(template, plan);
      const database = [...dependenciesOf(template, secretParts(template, plan), entries)].find((id) => unavailable.has(id));
      const endpoint = literalEndpointOf(entries);
      if (database !== undefined) {skipped.push({ plan, reason: `its database ${database} cannot run here: ${unavailable.get(database)}` });} else if (endpoint !== undefined && await endpointUnreachable(endpoint.host, endpoint.port)) {
        skipped.push({ plan, reason: `no ${engineOf(plan.strategy)} server is reachable on ${endpoint.host}:${endpoint.port}` });
      }
    }
  }
  return skipped;
}

/**
 * The template without the skipped secrets' rotation: their schedules, attachments and deploy-time check entries.
 * What is left deploys as CloudFormation would; the secrets themselves and their databases stay (a database this
 * machine cannot serve is skipped by the deployer).
 */
export function withoutRotationOf(template: Template, skipped: readonly SkippedSecret[]): Template {
  type Editable = { Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }> };
  const pruned: Editable = JSON.parse(JSON.stringify(template));
  const removed = new Set<string>();
  for (const { plan } of skipped) {
    for (const part of secretParts(template, plan)) {
      if (resourceTypeOf(template, part) !== CHECK_RESOURCE_TYPE) removed.add(part);
    }
  }
  for (const id of removed) delete pruned.Resources[id];
  for (const resource of Object.values(pruned.Resources)) {
    if (Array.isArray(resource.DependsOn)) resource.DependsOn = resource.DependsOn.filter((id) => !removed.has(id));
    if (resource.Type !== CHECK_RESOURCE_TYPE) continue;
    const entries = (resource.Properties?.[CHECK_PROPERTY_NAMES.secrets] ?? []) as unknown[];
    resource.Properties![CHECK_PROPERTY_NAMES.secrets] = entries.filter((entry) =>
      !skipped.some(({ plan }) => checksSecret(entry, plan, template)));
  }
  return pruned as unknown as Template;
}

/** The schedule, the attachments and the check of one secret. */
function secretParts(template: Template, plan: RotatingSecretPlan): string[] {
  return Object.entries(template.Resources)
    .filter(([id, resource]) => id === plan.scheduleLogicalId
      || (resource.Type === 'AWS::SecretsManager::SecretTargetAttachment' && refOf(resource.Properties?.SecretId) === plan.secretLogicalId)
      || (resource.Type === CHECK_RESOURCE_TYPE
        && ((resource.Properties?.[CHECK_PROPERTY_NAMES.secrets] ?? []) as unknown[]).some((entry) => checksSecret(entry, plan, template))))
    .map(([id]) => id);
}

/** Whether a check entry is the one of `plan`'s secret (its SecretArn is what the schedule's SecretId is). */
function checksSecret(entry: unknown, plan: RotatingSecretPlan, template: Template): boolean {
  const secretArn = (entry as Record<string, unknown>)[CHECKED_SECRET_PROPERTY_NAMES.secretArn];
  return isDeepStrictEqual(secretArn, template.Resources[plan.scheduleLogicalId]?.Properties?.SecretId);
}

/**
 * The database endpoint a secret's check entry names literally (`DatabaseTarget.fromEndpoint`), not through a
 * resource of the app. The connection fields are JSON text; a host from an attribute is an intrinsic around it.
 */
function literalEndpointOf(entries: readonly unknown[]): { host: string; port: number } | undefined {
  for (const entry of entries) {
    const json = (entry as Record<string, unknown>)[CHECKED_SECRET_PROPERTY_NAMES.connection];
    if (typeof json !== 'string') continue;
    const fields = JSON.parse(json) as Record<string, unknown>;
    if (typeof fields.host === 'string' && typeof fields.port === 'number') return { host: fields.host, port: fields.port };
  }
  return undefined;
}

function engineOf(strategy: string): string {
  return strategy.split('-')[0];
}

/** The deploy-time check's entries for `plan`'s secret. */
function checkEntriesOf(template: Template, plan: RotatingSecretPlan): unknown[] {
  return Object.values(template.Resources)
    .filter((resource) => resource.Type === CHECK_RESOURCE_TYPE)
    .flatMap((resource) => (resource.Properties?.[CHECK_PROPERTY_NAMES.secrets] ?? []) as unknown[])
    .filter((entry) => checksSecret(entry, plan, template));
}

/** Every resource the given ones (and `values`) reference or depend on, transitively. */
function dependenciesOf(template: Template, ids: readonly string[], values: readonly unknown[]): Set<string> {
  const all = new Set(Object.keys(template.Resources));
  const known = { resources: all, parameters: new Set(Object.keys(template.Parameters ?? {})), conditions: {} };
  const found = new Set<string>();
  const visit = (id: string) => {
    if (found.has(id) || !all.has(id)) return;
    found.add(id);
    const resource = template.Resources[id];
    referencesOf(resource.Properties ?? {}, known).resources.forEach(visit);
    dependsOnOf(resource).forEach(visit);
  };
  // The check depends on every secret's database: only the secret's own entry counts for it.
  ids.filter((id) => resourceTypeOf(template, id) !== CHECK_RESOURCE_TYPE).forEach(visit);
  values.forEach((value) => referencesOf(value, known).resources.forEach(visit));
  return found;
}

function resourceTypeOf(template: Template, id: string): string | undefined {
  return template.Resources[id]?.Type;
}
