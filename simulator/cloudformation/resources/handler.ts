import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SecretsManagerSimulator } from '../../simulator';
import type { CustomResourceGateway } from '../custom-resources/gateway';
import type { DatabaseHost } from '../database-host';
import type { IamService } from '../iam-service';
import type { PolicyRegistry } from '../policy-registry';
import type { ResourceState } from '../stack';

/** What a resource handler is asked to do, with every intrinsic and dynamic reference resolved. */
export interface ResourceRequest {
  readonly logicalId: string;
  readonly type: string;
  readonly properties: Record<string, any>;
  readonly stack: { readonly name: string; readonly id: string };
  /** Update and Delete: the resource's physical id. */
  readonly physicalId?: string;
  /** Update: the properties before. */
  readonly oldProperties?: Record<string, any>;
  /** Update and Delete: the attributes the resource had. */
  readonly attributes?: Record<string, unknown>;
}

/** A created or updated resource: its physical id (Ref) and attributes (Fn::GetAtt). */
export interface ResourceResult {
  readonly physicalId: string;
  readonly attributes: Record<string, unknown>;
  /** The attributes are masked wherever the deployer shows them (a custom resource's NoEcho). */
  readonly noEcho?: boolean;
}

/** A failed operation that still left a physical resource (a custom resource's FAILED response names one). */
export class ResourceFailure extends Error {
  constructor(message: string, public readonly physicalId?: string) {
    super(message);
  }
}

/**
 * One resource type family. A failed operation throws an Error whose message becomes the event's reason
 * (never a secret value).
 */
export interface ResourceHandler {
  create(request: ResourceRequest, env: DeployEnvironment): Promise<ResourceResult>;
  update(request: ResourceRequest, env: DeployEnvironment): Promise<ResourceResult>;
  delete(request: ResourceRequest, env: DeployEnvironment): Promise<void>;
}

/** Thrown by create when this machine cannot simulate the resource: the caller may skip it and its dependents. */
export class NotSimulatedError extends Error {}

/** What handlers work with. */
export interface DeployEnvironment {
  readonly sim: SecretsManagerSimulator;
  readonly secretsManager: SecretsManagerClient;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly policies: PolicyRegistry;
  readonly customResources: CustomResourceGateway;
  readonly databases?: DatabaseHost;
  /** The IAM and STS emulator IAM users live in, and functions call. */
  readonly iam?: IamService;
  /** The directory that holds a function's code: an asset by S3 key, or inline code written out. */
  functionCodeDirectory(stackName: string, logicalId: string, code: Record<string, any>, runtime: string | undefined): string;
  /** A resource of any stack by physical id (and type), e.g. a SecretTargetAttachment's target. */
  findResource(physicalId: string, type?: string): ResourceState | undefined;
}
