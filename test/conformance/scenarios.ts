import { randomUUID } from 'node:crypto';
import {
  CancelRotateSecretCommand, CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetRandomPasswordCommand,
  GetSecretValueCommand, ListSecretVersionIdsCommand, PutSecretValueCommand, RestoreSecretCommand, RotateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { Backend } from './backends';

/**
 * Secrets Manager behaviours the rotation engine and the sandbox rely on, each written once with AWS's answer
 * (sources: the API reference, and responses recorded against AWS) and run against every backend.
 */
export interface Scenario {
  readonly name: string;
  run(backend: Backend): Promise<void>;
}

const CURRENT = 'AWSCURRENT';
const PENDING = 'AWSPENDING';
const PREVIOUS = 'AWSPREVIOUS';

function uniqueName(): string {
  return `conformance-${randomUUID().slice(0, 8)}`;
}

async function newSecret(backend: Backend, value = 'first') {
  const created = await backend.client.send(new CreateSecretCommand({ Name: uniqueName(), SecretString: value }));
  return { arn: created.ARN!, name: created.Name!, firstVersion: created.VersionId! };
}

/** VersionIdsToStages with each label list sorted: the order of labels is not part of the contract. */
async function stagesOf(backend: Backend, secretId: string): Promise<Record<string, string[]>> {
  const description = await backend.client.send(new DescribeSecretCommand({ SecretId: secretId }));
  return Object.fromEntries(Object.entries(description.VersionIdsToStages ?? {}).map(([id, stages]) => [id, [...stages].sort()]));
}

async function put(backend: Backend, secretId: string, value: string, stages?: string[], token: string = randomUUID()) {
  return backend.client.send(new PutSecretValueCommand({
    SecretId: secretId, SecretString: value, VersionStages: stages, ClientRequestToken: token,
  }));
}

async function rotate(backend: Backend, secretId: string, token: string = randomUUID()) {
  return backend.client.send(new RotateSecretCommand({
    SecretId: secretId,
    ClientRequestToken: token,
    RotationLambdaARN: backend.rotationFunctionArn,
    RotationRules: { AutomaticallyAfterDays: 30 },
  }));
}

/** Expects an AWS error: its code, and (when given) its message and HTTP status. */
async function expectError(call: Promise<unknown>, code: string, message?: string | RegExp, status?: number): Promise<void> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e as { name: string; message: string; $metadata?: { httpStatusCode?: number } },
  );
  expect(error).toBeDefined();
  expect(error!.name).toBe(code);
  if (message !== undefined) expect(error!.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  if (status !== undefined) expect(error!.$metadata?.httpStatusCode).toBe(status);
}

/** A request as a raw HTTP client sends it (no SDK filling in ClientRequestToken). */
async function rawCall(backend: Backend, operation: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(backend.endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `secretsmanager.${operation}`,
      // Emulators route by the SigV4 scope; the signature itself is not checked.
      'authorization': `AWS4-HMAC-SHA256 Credential=AKIAEXAMPLEEXAMPLE00/20260101/${backend.region}/secretsmanager/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * Drives a rotation's createSecret and finishSecret effects by hand, as the AWS templates do: fill the placeholder,
 * then move AWSCURRENT onto it. Leaves AWSPENDING on the new AWSCURRENT version, the templates' end state.
 */
async function completeRotationByHand(backend: Backend, secretId: string, token: string, formerCurrent: string) {
  await put(backend, secretId, `rotated-${token.slice(0, 8)}`, [PENDING], token);
  await backend.client.send(new UpdateSecretVersionStageCommand({
    SecretId: secretId, VersionStage: CURRENT, MoveToVersionId: token, RemoveFromVersionId: formerCurrent,
  }));
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'CreateSecret: the first version gets AWSCURRENT; GetSecretValue reads it by default',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend, 'first');
      expect(arn).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:conformance-[0-9a-f]{8}-[A-Za-z0-9]{6}$/);
      expect(await stagesOf(backend, arn)).toEqual({ [firstVersion]: [CURRENT] });
      const value = await backend.client.send(new GetSecretValueCommand({ SecretId: arn }));
      expect(value).toMatchObject({ SecretString: 'first', VersionId: firstVersion, VersionStages: [CURRENT] });
    },
  },
  {
    name: 'CreateSecret: a taken name is ResourceExistsException; a name scheduled for deletion is InvalidRequestException',
    run: async (backend) => {
      const { name } = await newSecret(backend);
      await expectError(
        backend.client.send(new CreateSecretCommand({ Name: name, SecretString: 'other' })),
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
      await backend.client.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
      await expectError(
        backend.client.send(new CreateSecretCommand({ Name: name, SecretString: 'other' })),
        'InvalidRequestException',
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    },
  },
  {
    name: 'SecretId: a name, a full ARN and a partial ARN (without the random suffix) name the same secret',
    run: async (backend) => {
      const { arn, name } = await newSecret(backend);
      const partial = arn.slice(0, -7);
      for (const id of [name, arn, partial]) {
        const description = await backend.client.send(new DescribeSecretCommand({ SecretId: id }));
        expect(description.ARN).toBe(arn);
      }
    },
  },
  {
    name: 'DescribeSecret: rotation fields are absent until rotation is configured',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      const description = await backend.client.send(new DescribeSecretCommand({ SecretId: arn }));
      for (const field of ['RotationEnabled', 'RotationLambdaARN', 'RotationRules', 'LastRotatedDate', 'NextRotationDate', 'DeletedDate']) {
        expect(description).not.toHaveProperty(field);
      }
    },
  },
  {
    name: 'PutSecretValue: a new AWSCURRENT moves AWSPREVIOUS to the former current version; older versions become deprecated',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      const second = await put(backend, arn, 'second');
      expect(second.VersionStages).toEqual([CURRENT]);
      expect(await stagesOf(backend, arn)).toEqual({ [firstVersion]: [PREVIOUS], [second.VersionId!]: [CURRENT] });
      const third = await put(backend, arn, 'third');
      expect(await stagesOf(backend, arn)).toEqual({ [second.VersionId!]: [PREVIOUS], [third.VersionId!]: [CURRENT] });
    },
  },
  {
    name: 'ListSecretVersionIds: deprecated versions are listed only with IncludeDeprecated, without VersionStages',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      await put(backend, arn, 'second');
      await put(backend, arn, 'third');
      const labelled = await backend.client.send(new ListSecretVersionIdsCommand({ SecretId: arn }));
      expect(labelled.Versions!.map((v) => v.VersionId)).not.toContain(firstVersion);
      expect(labelled.Versions).toHaveLength(2);
      const all = await backend.client.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
      expect(all.Versions).toHaveLength(3);
      const deprecated = all.Versions!.find((v) => v.VersionId === firstVersion)!;
      expect(deprecated).not.toHaveProperty('VersionStages');
    },
  },
  {
    name: 'PutSecretValue: the same token with the same value is a no-op',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      const token = randomUUID();
      const first = await put(backend, arn, 'second', undefined, token);
      const again = await put(backend, arn, 'second', undefined, token);
      expect(again.VersionId).toBe(first.VersionId);
      const all = await backend.client.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
      expect(all.Versions).toHaveLength(2);
    },
  },
  {
    name: 'PutSecretValue: the same token with a different value is ResourceExistsException',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      const token = randomUUID();
      await put(backend, arn, 'second', undefined, token);
      await expectError(put(backend, arn, 'other', undefined, token), 'ResourceExistsException');
      const value = await backend.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token }));
      expect(value.SecretString).toBe('second');
    },
  },
  {
    name: 'PutSecretValue: VersionStages [AWSPENDING] leaves AWSCURRENT where it is',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      const pending = await put(backend, arn, 'pending', [PENDING]);
      expect(await stagesOf(backend, arn)).toEqual({ [firstVersion]: [CURRENT], [pending.VersionId!]: [PENDING] });
      const current = await backend.client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: CURRENT }));
      expect(current.VersionId).toBe(firstVersion);
    },
  },
  {
    name: 'PutSecretValue: custom labels move to the new version; the other version keeps its remaining labels',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      const one = await put(backend, arn, 's1', ['one', 'two', 'three']);
      const two = await put(backend, arn, 's2', ['one', 'two', 'four']);
      expect(await stagesOf(backend, arn)).toEqual({
        [firstVersion]: [CURRENT],
        [one.VersionId!]: ['three'],
        [two.VersionId!]: ['four', 'one', 'two'],
      });
    },
  },
  {
    name: 'PutSecretValue: a manual new AWSCURRENT drops AWSPENDING from the former [AWSCURRENT, AWSPENDING] version',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      const pending = await put(backend, arn, 'pending', [PENDING]);
      await backend.client.send(new UpdateSecretVersionStageCommand({
        SecretId: arn, VersionStage: CURRENT, MoveToVersionId: pending.VersionId, RemoveFromVersionId: firstVersion,
      }));
      expect(await stagesOf(backend, arn)).toEqual({ [firstVersion]: [PREVIOUS], [pending.VersionId!]: [CURRENT, PENDING] });
      const manual = await put(backend, arn, 'manual');
      expect(await stagesOf(backend, arn)).toEqual({ [pending.VersionId!]: [PREVIOUS], [manual.VersionId!]: [CURRENT] });
    },
  },
  {
    name: 'GetSecretValue: a VersionStage not on the given VersionId is InvalidRequestException',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      await expectError(
        backend.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: firstVersion, VersionStage: PENDING })),
        'InvalidRequestException',
        'You provided a VersionStage that is not associated to the provided VersionId.',
      );
    },
  },
  {
    name: 'GetSecretValue: a missing staging label is ResourceNotFoundException naming the label',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      await expectError(
        backend.client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: PREVIOUS })),
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
      );
    },
  },
  {
    name: 'GetSecretValue: a missing VersionId is ResourceNotFoundException naming the version',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      const missing = randomUUID();
      await expectError(
        backend.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: missing })),
        'ResourceNotFoundException',
        `Secrets Manager can't find the specified secret value for VersionId: ${missing}`,
      );
    },
  },
  {
    name: 'GetSecretValue: a missing secret is ResourceNotFoundException',
    run: async (backend) => {
      await expectError(
        backend.client.send(new GetSecretValueCommand({ SecretId: uniqueName() })),
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret.",
      );
    },
  },
  {
    name: 'Errors: ResourceNotFoundException and InvalidRequestException are HTTP 400',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      await expectError(backend.client.send(new GetSecretValueCommand({ SecretId: uniqueName() })), 'ResourceNotFoundException', undefined, 400);
      await expectError(
        backend.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: firstVersion, VersionStage: PENDING })),
        'InvalidRequestException',
        undefined,
        400,
      );
    },
  },
  {
    name: 'UpdateSecretVersionStage: moving AWSCURRENT without RemoveFromVersionId is InvalidParameterException',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      const pending = await put(backend, arn, 'pending', [PENDING]);
      await expectError(
        backend.client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: CURRENT, MoveToVersionId: pending.VersionId })),
        'InvalidParameterException',
        /RemoveFromVersionId/,
      );
    },
  },
  {
    name: 'UpdateSecretVersionStage: moving AWSCURRENT onto the AWSPENDING version gives [AWSCURRENT, AWSPENDING] and AWSPREVIOUS follows',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      const second = await put(backend, arn, 'second');
      const pending = await put(backend, arn, 'pending', [PENDING]);
      await backend.client.send(new UpdateSecretVersionStageCommand({
        SecretId: arn, VersionStage: CURRENT, MoveToVersionId: pending.VersionId, RemoveFromVersionId: second.VersionId,
      }));
      expect(await stagesOf(backend, arn)).toEqual({ [second.VersionId!]: [PREVIOUS], [pending.VersionId!]: [CURRENT, PENDING] });
      const all = await backend.client.send(new ListSecretVersionIdsCommand({ SecretId: arn, IncludeDeprecated: true }));
      expect(all.Versions!.find((v) => v.VersionId === firstVersion)).not.toHaveProperty('VersionStages');
    },
  },
  {
    name: 'UpdateSecretVersionStage: the former current version keeps its custom labels next to AWSPREVIOUS',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      await backend.client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'custom', MoveToVersionId: firstVersion }));
      const next = await put(backend, arn, 'next', [PENDING]);
      await backend.client.send(new UpdateSecretVersionStageCommand({
        SecretId: arn, VersionStage: CURRENT, MoveToVersionId: next.VersionId, RemoveFromVersionId: firstVersion,
      }));
      expect((await stagesOf(backend, arn))[firstVersion]).toEqual([PREVIOUS, 'custom']);
    },
  },
  {
    name: 'UpdateSecretVersionStage: RemoveFromVersionId alone detaches the label and leaves the others',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      await backend.client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'custom', MoveToVersionId: firstVersion }));
      expect((await stagesOf(backend, arn))[firstVersion]).toEqual([CURRENT, 'custom']);
      await backend.client.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'custom', RemoveFromVersionId: firstVersion }));
      expect((await stagesOf(backend, arn))[firstVersion]).toEqual([CURRENT]);
    },
  },
  {
    name: 'RotateSecret: creates a value-less AWSPENDING version with the token and stores the rotation configuration',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      const token = randomUUID();
      const rotated = await rotate(backend, arn, token);
      expect(rotated).toMatchObject({ ARN: arn, VersionId: token });
      expect(await stagesOf(backend, arn)).toEqual({ [firstVersion]: [CURRENT], [token]: [PENDING] });
      await expectError(
        backend.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: PENDING })),
        'ResourceNotFoundException',
      );
      const description = await backend.client.send(new DescribeSecretCommand({ SecretId: arn }));
      expect(description).toMatchObject({ RotationEnabled: true, RotationLambdaARN: backend.rotationFunctionArn });
      expect(description.RotationRules?.AutomaticallyAfterDays).toBe(30);
    },
  },
  {
    name: 'PutSecretValue: the token of the value-less AWSPENDING placeholder fills it in (once)',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      const token = randomUUID();
      await rotate(backend, arn, token);
      const filled = await put(backend, arn, 'new-value', [PENDING], token);
      expect(filled).toMatchObject({ VersionId: token, VersionStages: [PENDING] });
      const pending = await backend.client.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: PENDING }));
      expect(pending.SecretString).toBe('new-value');
      await expectError(put(backend, arn, 'different', [PENDING], token), 'ResourceExistsException');
    },
  },
  {
    name: "RotateSecret: AWSPENDING on a version other than AWSCURRENT's is InvalidRequestException (previous rotation)",
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      const token = randomUUID();
      await rotate(backend, arn, token);
      await expectError(rotate(backend, arn), 'InvalidRequestException', "A previous rotation isn't complete. That rotation will be reattempted.");
      expect(await stagesOf(backend, arn)).toEqual({ [firstVersion]: [CURRENT], [token]: [PENDING] });
    },
  },
  {
    name: "RotateSecret: after a completed rotation (AWSPENDING on AWSCURRENT's version) the next rotation starts",
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      const token = randomUUID();
      await rotate(backend, arn, token);
      await completeRotationByHand(backend, arn, token, firstVersion);
      const next = randomUUID();
      await rotate(backend, arn, next);
      expect(await stagesOf(backend, arn)).toEqual({ [firstVersion]: [PREVIOUS], [token]: [CURRENT], [next]: [PENDING] });
    },
  },
  {
    name: 'RotateSecret: without a rotation function ARN is InvalidRequestException and changes nothing',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      await expectError(
        backend.client.send(new RotateSecretCommand({ SecretId: arn, RotationRules: { AutomaticallyAfterDays: 1 } })),
        'InvalidRequestException',
        'No Lambda rotation function ARN is associated with this secret.',
      );
      expect(await stagesOf(backend, arn)).toEqual({ [firstVersion]: [CURRENT] });
    },
  },
  {
    name: 'RotateSecret: AutomaticallyAfterDays together with ScheduleExpression is InvalidParameterException',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      await expectError(
        backend.client.send(new RotateSecretCommand({
          SecretId: arn,
          RotationLambdaARN: backend.rotationFunctionArn,
          RotationRules: { AutomaticallyAfterDays: 2, ScheduleExpression: 'rate(2 days)' },
        })),
        'InvalidParameterException',
        'You cannot specify both rotation frequency and schedule expression together.',
      );
    },
  },
  {
    name: 'RotateSecret: a function Secrets Manager cannot invoke is AccessDeniedException and nothing is stored',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      await expectError(
        backend.client.send(new RotateSecretCommand({
          SecretId: arn,
          RotationLambdaARN: `arn:aws:lambda:${backend.region}:123456789012:function:does-not-exist`,
          RotationRules: { AutomaticallyAfterDays: 1 },
        })),
        'AccessDeniedException',
        'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.',
      );
      const description = await backend.client.send(new DescribeSecretCommand({ SecretId: arn }));
      expect(description).not.toHaveProperty('RotationEnabled');
      expect(description).not.toHaveProperty('RotationRules');
      expect(description).not.toHaveProperty('RotationLambdaARN');
      expect(await stagesOf(backend, arn)).toEqual({ [firstVersion]: [CURRENT] });
    },
  },
  {
    name: 'RotateSecret: ScheduleExpression and Duration are stored and echoed by DescribeSecret',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      await backend.client.send(new RotateSecretCommand({
        SecretId: arn,
        RotationLambdaARN: backend.rotationFunctionArn,
        RotationRules: { ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' },
      }));
      const description = await backend.client.send(new DescribeSecretCommand({ SecretId: arn }));
      expect(description.RotationRules).toMatchObject({ ScheduleExpression: 'cron(0 4 ? * SUN *)', Duration: '3h' });
      expect(description.RotationEnabled).toBe(true);
    },
  },
  {
    name: 'CancelRotateSecret: turns rotation off, keeps the labels and returns the in-progress version',
    run: async (backend) => {
      const { arn, firstVersion } = await newSecret(backend);
      const token = randomUUID();
      await rotate(backend, arn, token);
      const cancelled = await backend.client.send(new CancelRotateSecretCommand({ SecretId: arn }));
      expect(cancelled).toMatchObject({ ARN: arn, VersionId: token });
      const description = await backend.client.send(new DescribeSecretCommand({ SecretId: arn }));
      expect(description.RotationEnabled).toBe(false);
      expect(description.RotationLambdaARN).toBe(backend.rotationFunctionArn);
      expect(description.RotationRules?.AutomaticallyAfterDays).toBe(30);
      expect(await stagesOf(backend, arn)).toEqual({ [firstVersion]: [CURRENT], [token]: [PENDING] });
    },
  },
  {
    name: 'Raw HTTP without ClientRequestToken: refused with the recorded error codes',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      const message = 'You must provide a ClientRequestToken value. We recommend a UUID-type value.';
      const create = await rawCall(backend, 'CreateSecret', { Name: uniqueName(), SecretString: 'value' });
      expect(create).toEqual({ status: 400, body: { __type: 'InvalidRequestException', Message: message } });
      const putValue = await rawCall(backend, 'PutSecretValue', { SecretId: arn, SecretString: 'value' });
      expect(putValue).toEqual({ status: 400, body: { __type: 'InvalidRequestException', Message: message } });
      const rotation = await rawCall(backend, 'RotateSecret', { SecretId: arn, RotationLambdaARN: backend.rotationFunctionArn });
      expect(rotation).toEqual({ status: 400, body: { __type: 'InvalidParameterException', Message: message } });
    },
  },
  {
    name: 'ClientRequestToken: shorter than 32 characters is refused',
    run: async (backend) => {
      const { arn } = await newSecret(backend);
      const error = await put(backend, arn, 'value', undefined, 'too-short').then(() => undefined, (e: { $metadata: { httpStatusCode: number } }) => e);
      expect(error?.$metadata.httpStatusCode).toBe(400);
    },
  },
  {
    name: 'DeleteSecret: a recovery window of 7 to 30 days; a deleted secret refuses reads until RestoreSecret',
    run: async (backend) => {
      const { arn } = await newSecret(backend, 'kept');
      await expectError(backend.client.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 3 })), 'InvalidParameterException');
      const before = Date.now();
      const deleted = await backend.client.send(new DeleteSecretCommand({ SecretId: arn, RecoveryWindowInDays: 7 }));
      const days = (deleted.DeletionDate!.getTime() - before) / 86_400_000;
      expect(days).toBeGreaterThan(6.9);
      expect(days).toBeLessThan(7.1);
      await expectError(backend.client.send(new GetSecretValueCommand({ SecretId: arn })), 'InvalidRequestException');
      const description = await backend.client.send(new DescribeSecretCommand({ SecretId: arn }));
      expect(description.DeletedDate).toBeDefined();
      await backend.client.send(new RestoreSecretCommand({ SecretId: arn }));
      expect((await backend.client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString).toBe('kept');
    },
  },
  {
    name: 'GetRandomPassword: the requested length, every included character type, no excluded character',
    run: async (backend) => {
      for (let i = 0; i < 20; i++) {
        const { RandomPassword: password } = await backend.client.send(new GetRandomPasswordCommand({
          PasswordLength: 12, ExcludeCharacters: 'abcXYZ012!@', RequireEachIncludedType: true,
        }));
        expect(password).toHaveLength(12);
        expect(password).toMatch(/[a-z]/);
        expect(password).toMatch(/[A-Z]/);
        expect(password).toMatch(/[0-9]/);
        expect(password).toMatch(/[^A-Za-z0-9]/);
        expect(password).not.toMatch(/[abcXYZ012!@ ]/);
      }
      const { RandomPassword: digits } = await backend.client.send(new GetRandomPasswordCommand({
        PasswordLength: 30, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true,
      }));
      expect(digits).toMatch(/^[0-9]{30}$/);
    },
  },
  {
    name: 'GetRandomPassword: excluding every character type is a client error (400)',
    run: async (backend) => {
      const error = await backend.client
        .send(new GetRandomPasswordCommand({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true }))
        .then(() => undefined, (e: { $metadata: { httpStatusCode: number } }) => e);
      expect(error?.$metadata.httpStatusCode).toBe(400);
    },
  },
];
