import { invalidParameter, invalidRequest, resourceExists, ServiceError, validationError } from '../errors';
import { SECRETS_MANAGER_SERVICE, SERVICE_INVOKE_DENIED_MESSAGE, serviceInvokeRequest } from '../iam';
import { incompleteRotationVersion } from '../rotation';
import { parseRotationRules } from '../schedule';
import { attachStages, AWSCURRENT, AWSPENDING, RotationRules, versionWithStage } from '../store';
import { activeSecret, clientRequestToken, Input, Operation, optionalBoolean, optionalString, requiredString } from './context';

export const rotateSecret: Operation = (context, input) => {
  const token = clientRequestToken(input, invalidParameter);
  const secret = activeSecret(context, requiredString(input, 'SecretId'));
  const rules = rotationRules(input);
  const lambdaArn = optionalString(input, 'RotationLambdaARN') || secret.rotation.lambdaArn;
  const rotateImmediately = optionalBoolean(input, 'RotateImmediately') ?? true;

  if (!lambdaArn) throw invalidRequest('No Lambda rotation function ARN is associated with this secret.');
  if (rules) parseRotationRules(rules);
  const secretsManager = context.iam.principals.service(SECRETS_MANAGER_SERVICE);
  if (!context.functions.has(lambdaArn) || !context.iam.allows(secretsManager, [serviceInvokeRequest(secret.arn, lambdaArn)])) {
    // Nothing is stored when the function cannot be invoked.
    throw new ServiceError('AccessDeniedException', SERVICE_INVOKE_DENIED_MESSAGE);
  }
  if (incompleteRotationVersion(secret)) {
    throw invalidRequest("A previous rotation isn't complete. That rotation will be reattempted.");
  }
  if (secret.versions.has(token)) {
    throw resourceExists(`You can't use ClientRequestToken ${token} because that value is already in use for a version of secret ${secret.arn}.`);
  }

  const now = context.clock.now();
  const rotation = secret.rotation;
  rotation.lambdaArn = lambdaArn;
  if (rules) rotation.rules = rules;
  // RotateSecret turns rotation on, with or without a schedule (the templates refuse to run otherwise).
  rotation.enabled = true;
  secret.lastChangedAt = now;

  if (rotateImmediately) {
    // The value-less AWSPENDING placeholder: createSecret fills it in with this token.
    const placeholder = { id: token, stages: [], createdAt: now };
    secret.versions.set(token, placeholder);
    attachStages(secret, placeholder, [AWSPENDING]);
    context.engine.reschedule(secret, 'configured');
    void context.engine.start(secret, token, 'RotateSecret');
  } else {
    // Only testSecret runs, against an AWSPENDING copy of the current value that is removed afterwards.
    const current = versionWithStage(secret, AWSCURRENT);
    const testVersion = { id: token, value: current?.value, stages: [], createdAt: now };
    secret.versions.set(token, testVersion);
    attachStages(secret, testVersion, [AWSPENDING]);
    context.engine.reschedule(secret, 'configured');
    void context.engine.start(secret, token, 'configuration-test');
  }
  return { ARN: secret.arn, Name: secret.name, VersionId: token };
};

export const cancelRotateSecret: Operation = (context, input) => {
  const secret = activeSecret(context, requiredString(input, 'SecretId'));
  if (!secret.rotation.lambdaArn) {
    throw invalidRequest(
      "You tried to enable rotation on a secret that doesn't already have a Lambda function ARN configured and you didn't include such an ARN as a parameter in this call.",
    );
  }
  const inProgress = incompleteRotationVersion(secret);
  if (context.engine.isRunning(secret)) context.engine.abandon(secret, 'CancelRotateSecret cancelled it');
  secret.rotation.enabled = false;
  secret.lastChangedAt = context.clock.now();
  context.engine.reschedule(secret, 'configured');
  return { ARN: secret.arn, Name: secret.name, ...(inProgress ? { VersionId: inProgress.id } : {}) };
};

function rotationRules(input: Input): RotationRules | undefined {
  const raw = input.RotationRules;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw new ServiceError('SerializationException', 'RotationRules must be an object');
  const { AutomaticallyAfterDays: days, ScheduleExpression: expression, Duration: duration } = raw as Record<string, unknown>;
  if (days !== undefined && (typeof days !== 'number' || !Number.isInteger(days) || days < 1 || days > 1000)) {
    throw validationError('rotationRules.automaticallyAfterDays', days as number < 1 ? 'have value greater than or equal to 1' : 'have value less than or equal to 1000', days);
  }
  if (expression !== undefined && typeof expression !== 'string') throw new ServiceError('SerializationException', 'ScheduleExpression must be a string');
  if (duration !== undefined && typeof duration !== 'string') throw new ServiceError('SerializationException', 'Duration must be a string');
  if (days !== undefined && expression !== undefined) {
    throw invalidParameter('You cannot specify both rotation frequency and schedule expression together.');
  }
  return {
    ...(days !== undefined ? { automaticallyAfterDays: days as number } : {}),
    ...(expression !== undefined ? { scheduleExpression: expression } : {}),
    ...(duration !== undefined ? { duration } : {}),
  };
}
