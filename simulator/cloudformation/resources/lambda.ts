import { DeployEnvironment, NotSimulatedError, ResourceHandler, ResourceRequest, ResourceResult } from './handler';
import { generatedName } from './physical-names';

/**
 * AWS::Lambda::Function registered with the simulator from its code (an asset of the assembly, or inline ZipFile
 * code), with its resolved environment, handler, timeout, memory, LoggingConfig and execution role (whose session
 * makes the function's calls). Ref is the name. An update
 * registers it again, which discards its warm execution environments, as a Lambda code or configuration update does.
 */
export const functionHandler: ResourceHandler = {
  async create(request, env) {
    const name = request.properties.FunctionName ?? generatedName(request.stack.name, request.logicalId, { maxLength: 64 });
    return register(request, env, name);
  },
  async update(request, env) {
    return register(request, env, request.physicalId!);
  },
  async delete(request, env) {
    await env.sim.unregisterFunction(request.physicalId!);
  },
};

async function register(request: ResourceRequest, env: DeployEnvironment, name: string): Promise<ResourceResult> {
  const props = request.properties;
  const runtime: string | undefined = props.Runtime;
  if (props.PackageType === 'Image' || props.Code?.ImageUri !== undefined) throw new NotSimulatedError('container image functions are not simulated');
  if (runtime !== undefined && !runtime.startsWith('nodejs')) throw new NotSimulatedError(`runtime ${runtime} is not simulated (Node.js runtimes are)`);
  const arn = functionArn(env, name);
  const logging = props.LoggingConfig ?? {};
  // With an IAM emulator, functions reach it for IAM and STS, as a session of their role's stand-in there.
  const iam = env.iam && props.Role !== undefined
    ? {
      endpoints: { AWS_ENDPOINT_URL_IAM: env.iam.endpoint, AWS_ENDPOINT_URL_STS: env.iam.endpoint },
      credentials: await env.iam.sessionFor(String(props.Role), name),
    }
    : undefined;
  env.sim.registerFunction(arn, {
    assetDir: env.functionCodeDirectory(request.stack.name, request.logicalId, props.Code ?? {}, runtime),
    handler: props.Handler ?? 'index.handler',
    environment: {
      ...Object.fromEntries(Object.entries(props.Environment?.Variables ?? {}).map(([key, value]) => [key, String(value)])),
      ...iam?.endpoints,
    },
    ...(iam ? { credentials: iam.credentials } : {}),
    timeoutSeconds: props.Timeout === undefined ? 3 : Number(props.Timeout),
    memorySize: props.MemorySize === undefined ? 128 : Number(props.MemorySize),
    logFormat: logging.LogFormat === 'JSON' ? 'JSON' : 'Text',
    ...(props.Role !== undefined ? { role: String(props.Role) } : {}),
    ...(logging.LogGroup !== undefined ? { logGroupName: String(logging.LogGroup) } : {}),
  });
  return { physicalId: name, attributes: { Arn: arn } };
}

function functionArn(env: DeployEnvironment, nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn : `arn:${env.partition}:lambda:${env.region}:${env.accountId}:function:${nameOrArn}`;
}

/** AWS::Lambda::EventInvokeConfig: the function's asynchronous retries (MaximumRetryAttempts) and event age. */
export const eventInvokeConfigHandler: ResourceHandler = {
  create: configure,
  update: configure,
  async delete(request, env) {
    env.sim.putFunctionEventInvokeConfig(functionArn(env, request.properties.FunctionName), undefined);
  },
};

async function configure(request: ResourceRequest, env: DeployEnvironment): Promise<ResourceResult> {
  const props = request.properties;
  env.sim.putFunctionEventInvokeConfig(functionArn(env, props.FunctionName), {
    ...(props.MaximumRetryAttempts !== undefined ? { maximumRetryAttempts: Number(props.MaximumRetryAttempts) } : {}),
    ...(props.MaximumEventAgeInSeconds !== undefined ? { maximumEventAgeInSeconds: Number(props.MaximumEventAgeInSeconds) } : {}),
  });
  return { physicalId: request.physicalId ?? generatedName(request.stack.name, request.logicalId, { maxLength: 128 }), attributes: {} };
}
