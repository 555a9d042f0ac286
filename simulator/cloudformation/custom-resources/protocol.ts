import { randomUUID } from 'node:crypto';
import { DeliveredResponse, MAX_RESPONSE_BYTES } from './gateway';
import {
  DEFAULT_WAITER_POLICY, ProviderFramework, runProviderFramework, USER_IS_COMPLETE_FUNCTION_ARN, USER_ON_EVENT_FUNCTION_ARN,
  WAITER_STATE_MACHINE_ARN, waiterPolicy,
} from './provider-framework';
import { functionName } from '../../functions';
import { DeployEnvironment, ResourceFailure, ResourceHandler, ResourceRequest, ResourceResult } from '../resources/handler';

type RequestType = 'Create' | 'Update' | 'Delete';

/** ServiceTimeout: how long CloudFormation waits for the response, 1 to 3600 seconds. */
const DEFAULT_SERVICE_TIMEOUT_SECONDS = 3600;

/**
 * Custom::* and AWS::CloudFormation::CustomResource through CloudFormation's protocol: the ServiceToken function
 * is invoked asynchronously (Lambda retries it on error) with the request; CloudFormation waits for the JSON
 * response PUT to the ResponseURL, up to ServiceTimeout. A ServiceToken function that is aws-cdk-lib's Provider
 * framework is emulated (see provider-framework.ts) rather than run.
 */
export const customResourceHandler: ResourceHandler = {
  create: (request, env) => sendRequest('Create', request, env),
  update: (request, env) => {
    if (request.oldProperties?.ServiceToken !== request.properties.ServiceToken) {
      return Promise.reject(new Error('Modifying service token is not allowed.'));
    }
    return sendRequest('Update', request, env);
  },
  delete: async (request, env) => {
    await sendRequest('Delete', request, env);
  },
};

async function sendRequest(requestType: RequestType, request: ResourceRequest, env: DeployEnvironment): Promise<ResourceResult> {
  const serviceToken = request.properties.ServiceToken;
  if (typeof serviceToken !== 'string' || serviceToken === '') throw new Error('ServiceToken is required');
  if (!serviceToken.startsWith(`arn:${env.partition}:lambda:`)) throw new Error(`ServiceToken ${serviceToken} is not simulated (Lambda functions are)`);
  const timeoutSeconds = serviceTimeout(request.properties.ServiceTimeout);
  const requestId = randomUUID();
  const delivery = env.customResources.expect();
  const event = {
    RequestType: requestType,
    ServiceToken: serviceToken,
    ResponseURL: delivery.url,
    StackId: request.stack.id,
    RequestId: requestId,
    LogicalResourceId: request.logicalId,
    ResourceType: request.type,
    ...(requestType !== 'Create' ? { PhysicalResourceId: request.physicalId } : {}),
    ResourceProperties: asCloudFormationPasses(request.properties),
    ...(requestType === 'Update' ? { OldResourceProperties: asCloudFormationPasses(request.oldProperties ?? {}) } : {}),
  };

  let cancelled = false;
  const framework = providerFramework(serviceToken, env);
  let response: Promise<DeliveredResponse>;
  if (framework) {
    delivery.cancel();
    response = runProviderFramework(env.sim, framework, event, () => cancelled);
  } else {
    try {
      env.sim.invokeFunctionAsync(serviceToken, event);
    } catch {
      delivery.cancel();
      throw new Error(`Failed to invoke ServiceToken ${serviceToken}: Function not found`);
    }
    response = delivery.response;
  }

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutSeconds * 1000)));
  const delivered = await Promise.race([response, timedOut]);
  clearTimeout(timer);
  if (delivered === undefined) {
    cancelled = true;
    delivery.cancel();
    throw new Error(`CloudFormation did not receive a response from your Custom Resource. Please check your logs for requestId [${requestId}].`);
  }
  return interpret(delivered, requestId);
}

function serviceTimeout(value: unknown): number {
  if (value === undefined) return DEFAULT_SERVICE_TIMEOUT_SECONDS;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > 3600) throw new Error(`ServiceTimeout must be an integer from 1 to 3600, got ${JSON.stringify(value)}`);
  return seconds;
}

/** CloudFormation passes every scalar of a custom resource's properties as a string. */
export function asCloudFormationPasses(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asCloudFormationPasses);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, asCloudFormationPasses(member)]));
}

/** The response's meaning: SUCCESS with a physical id and Data, or the failure CloudFormation reports. */
function interpret(delivered: DeliveredResponse, requestId: string): ResourceResult {
  if (delivered.bytes > MAX_RESPONSE_BYTES) throw new Error('Response object is too long.');
  let response: Record<string, any>;
  try {
    response = JSON.parse(delivered.body);
  } catch {
    throw new Error('Invalid response object: the response is not valid JSON.');
  }
  const physicalId = typeof response.PhysicalResourceId === 'string' && response.PhysicalResourceId !== '' ? response.PhysicalResourceId : undefined;
  if (response.Status === 'FAILED') {
    const reason = response.Reason ?? 'See the details in CloudWatch Log Stream';
    throw new ResourceFailure(`Received response status [FAILED] from custom resource. Message returned: ${reason} (RequestId: ${requestId})`, physicalId);
  }
  if (response.Status !== 'SUCCESS') throw new Error(`Invalid response object: Status must be SUCCESS or FAILED, got ${JSON.stringify(response.Status)}`);
  if (physicalId === undefined) throw new Error('Invalid PhysicalResourceId');
  const data = response.Data ?? {};
  if (typeof data !== 'object' || Array.isArray(data)) throw new Error('Invalid response object: Data must be a JSON object');
  return { physicalId, attributes: data, noEcho: response.NoEcho === true || response.NoEcho === 'true' };
}

/** The Provider framework, when the ServiceToken function is one: its environment names the user handlers. */
function providerFramework(serviceToken: string, env: DeployEnvironment): ProviderFramework | undefined {
  const fn = env.findResource(functionName(serviceToken), 'AWS::Lambda::Function');
  const variables = (fn?.properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const onEventArn = variables[USER_ON_EVENT_FUNCTION_ARN];
  if (typeof onEventArn !== 'string') return undefined;
  const isCompleteArn = variables[USER_IS_COMPLETE_FUNCTION_ARN];
  const stateMachine = typeof variables[WAITER_STATE_MACHINE_ARN] === 'string'
    ? env.findResource(variables[WAITER_STATE_MACHINE_ARN] as string, 'AWS::StepFunctions::StateMachine')
    : undefined;
  const definition = stateMachine?.properties.DefinitionString ?? stateMachine?.properties.Definition;
  return {
    onEventArn,
    ...(typeof isCompleteArn === 'string' ? { isCompleteArn } : {}),
    waiter: definition !== undefined ? waiterPolicy(definition) : DEFAULT_WAITER_POLICY,
  };
}
