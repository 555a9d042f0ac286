import { spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  CreateSecretCommand, DeleteSecretCommand, DescribeSecretCommand, GetRandomPasswordCommand, GetRandomPasswordCommandInput, ListSecretsCommand,
  ListSecretVersionIdsCommand, PutSecretValueCommand, SecretsManagerClient, TagResourceCommand, UntagResourceCommand,
} from '@aws-sdk/client-secrets-manager';
import { START, startSimulator } from './support';
import { SecretsManagerSimulator } from '../../simulator';

let simulator: SecretsManagerSimulator;
let client: SecretsManagerClient;

beforeEach(async () => {
  ({ simulator, client } = await startSimulator());
});

afterEach(async () => {
  client.destroy();
  await simulator.stop();
});

async function post(target: string, body: string) {
  const response = await fetch(simulator.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target },
    body,
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    requestId: response.headers.get('x-amzn-requestid'),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe('JSON 1.1 protocol', () => {
  test.each(['secretsmanager.ReplicateSecretToRegions', 'Logs_20140328.PutLogEvents', 'kms.Decrypt'])('%s is an unknown operation (400)', async (target) => {
    const response = await post(target, '{}');
    expect(response).toMatchObject({ status: 400, type: 'application/x-amz-json-1.1', body: { __type: 'UnknownOperationException' } });
    expect(response.body.Message).toContain(target);
  });

  test('a body that is not JSON is a SerializationException', async () => {
    expect(await post('secretsmanager.ListSecrets', '{not json')).toMatchObject({ status: 400, body: { __type: 'SerializationException' } });
  });

  test('answers carry a request id; a missing required member is a ValidationException', async () => {
    const response = await post('secretsmanager.DescribeSecret', '{}');
    expect(response.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.body).toEqual({
      __type: 'ValidationException',
      Message: "1 validation error detected: Value null at 'secretId' failed to satisfy constraint: Member must not be null",
    });
  });

  test('timestamps are epoch seconds from the simulator clock', async () => {
    await client.send(new CreateSecretCommand({ Name: 'dated', SecretString: 'v' }));
    const response = await post('secretsmanager.DescribeSecret', JSON.stringify({ SecretId: 'dated' }));
    expect(response.body.CreatedDate).toBe(START / 1000);
  });
});

describe('API call counts', () => {
  test('are kept per secret and since a mark', async () => {
    const a = (await client.send(new CreateSecretCommand({ Name: 'a', SecretString: 'v' }))).ARN!;
    const b = (await client.send(new CreateSecretCommand({ Name: 'b', SecretString: 'v' }))).ARN!;
    await client.send(new DescribeSecretCommand({ SecretId: 'a' }));
    const mark = simulator.apiCallMark();
    await client.send(new DescribeSecretCommand({ SecretId: a }));
    await client.send(new PutSecretValueCommand({ SecretId: a, SecretString: 'w' }));
    await client.send(new DescribeSecretCommand({ SecretId: b }));
    await client.send(new GetRandomPasswordCommand({}));

    expect(simulator.apiCalls({ secretArn: a })).toEqual({ CreateSecret: 1, DescribeSecret: 2, PutSecretValue: 1 });
    expect(simulator.apiCalls({ secretArn: a, since: mark })).toEqual({ DescribeSecret: 1, PutSecretValue: 1 });
    expect(simulator.apiCalls({ since: mark })).toEqual({ DescribeSecret: 2, PutSecretValue: 1, GetRandomPassword: 1 });
    expect(simulator.apiCallLog({ since: mark })[0]).toMatchObject({ sequence: mark + 1, operation: 'DescribeSecret', secretArn: a, time: START });
  });
});

describe('GetRandomPassword', () => {
  const password = (input: GetRandomPasswordCommandInput) =>
    client.send(new GetRandomPasswordCommand(input)).then((r) => r.RandomPassword!);

  test('32 characters by default, up to 4096', async () => {
    expect(await password({})).toHaveLength(32);
    expect(await password({ PasswordLength: 4096 })).toHaveLength(4096);
  });

  test('length out of range is a ValidationException', async () => {
    await expect(password({ PasswordLength: 4097 })).rejects.toMatchObject({
      name: 'ValidationException',
      message: "1 validation error detected: Value '4097' at 'passwordLength' failed to satisfy constraint: Member must have value less than or equal to 4096",
    });
    await expect(password({ PasswordLength: 0 })).rejects.toMatchObject({ name: 'ValidationException' });
  });

  test('RequireEachIncludedType with a length too short for every type is refused; without it, types that fit are used', async () => {
    await expect(password({ PasswordLength: 3, RequireEachIncludedType: true })).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'Password length is too short based on the required types.',
    });
    expect(await password({ PasswordLength: 1 })).toHaveLength(1);
  });

  test('IncludeSpace adds the space; required characters are not always at the end', async () => {
    const request = { PasswordLength: 4, IncludeSpace: true, RequireEachIncludedType: true };
    const samples = await Promise.all(Array.from({ length: 200 }, () => password(request)));
    for (const sample of samples) {
      expect(sample).toMatch(/[a-z]/);
      expect(sample).toMatch(/[A-Z]/);
      expect(sample).toMatch(/[0-9]/);
    }
    // Every sample holds one character of each type; a fixed order would put, say, digits always last
    expect(new Set(samples.map((s) => s.search(/[0-9]/))).size).toBe(4);
    const long = await password({ PasswordLength: 4096, IncludeSpace: true });
    expect(long).toContain(' ');
  });
});

describe('secrets', () => {
  test('names outside the allowed characters are refused', async () => {
    await expect(client.send(new CreateSecretCommand({ Name: 'bad name?', SecretString: 'v' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!',
    });
  });

  test('ForceDeleteWithoutRecovery frees the name at once, and succeeds for a secret that does not exist', async () => {
    await client.send(new CreateSecretCommand({ Name: 'short-lived', SecretString: 'v' }));
    await client.send(new DeleteSecretCommand({ SecretId: 'short-lived', ForceDeleteWithoutRecovery: true }));
    await client.send(new CreateSecretCommand({ Name: 'short-lived', SecretString: 'again' }));
    const ghost = await client.send(new DeleteSecretCommand({ SecretId: 'never-existed', ForceDeleteWithoutRecovery: true }));
    expect(ghost.Name).toBe('never-existed');
  });

  test('a secret scheduled for deletion disappears when its recovery window ends', async () => {
    await client.send(new CreateSecretCommand({ Name: 'expiring', SecretString: 'v' }));
    await client.send(new DeleteSecretCommand({ SecretId: 'expiring', RecoveryWindowInDays: 7 }));
    await simulator.clock.advance(7 * 86_400_000);
    await expect(client.send(new DescribeSecretCommand({ SecretId: 'expiring' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  test('tags are merged, removed and listed; ListSecrets filters and pages', async () => {
    await client.send(new CreateSecretCommand({ Name: 'prod/db', SecretString: 'v', Tags: [{ Key: 'team', Value: 'data' }] }));
    await client.send(new CreateSecretCommand({ Name: 'prod/api', SecretString: 'v' }));
    await client.send(new CreateSecretCommand({ Name: 'dev/db', SecretString: 'v' }));
    await client.send(new TagResourceCommand({ SecretId: 'prod/db', Tags: [{ Key: 'team', Value: 'platform' }, { Key: 'tier', Value: '1' }] }));
    await client.send(new UntagResourceCommand({ SecretId: 'prod/db', TagKeys: ['tier'] }));

    expect((await client.send(new DescribeSecretCommand({ SecretId: 'prod/db' }))).Tags).toEqual([{ Key: 'team', Value: 'platform' }]);
    const prod = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['prod/'] }] }));
    expect(prod.SecretList!.map((s) => s.Name)).toEqual(['prod/db', 'prod/api']);
    const tagged = await client.send(new ListSecretsCommand({ Filters: [{ Key: 'tag-value', Values: ['plat'] }] }));
    expect(tagged.SecretList!.map((s) => s.Name)).toEqual(['prod/db']);
    const firstPage = await client.send(new ListSecretsCommand({ MaxResults: 2 }));
    const secondPage = await client.send(new ListSecretsCommand({ MaxResults: 2, NextToken: firstPage.NextToken }));
    expect([...firstPage.SecretList!, ...secondPage.SecretList!].map((s) => s.Name)).toEqual(['prod/db', 'prod/api', 'dev/db']);
    expect(secondPage.NextToken).toBeUndefined();
  });

  test('beyond 100 versions, deprecated versions older than 24 hours are removed', async () => {
    await client.send(new CreateSecretCommand({ Name: 'busy', SecretString: 'v0' }));
    for (let i = 1; i <= 105; i++) await client.send(new PutSecretValueCommand({ SecretId: 'busy', SecretString: `v${i}` }));
    const count = async () => {
      let total = 0;
      let nextToken: string | undefined;
      do {
        const page = await client.send(new ListSecretVersionIdsCommand({ SecretId: 'busy', IncludeDeprecated: true, NextToken: nextToken }));
        total += page.Versions!.length;
        nextToken = page.NextToken;
      } while (nextToken);
      return total;
    };
    // All were created in the last 24 hours: none may go
    expect(await count()).toBe(106);

    await simulator.clock.advance(25 * 3600_000);
    await client.send(new PutSecretValueCommand({ SecretId: 'busy', SecretString: 'latest' }));

    expect(await count()).toBe(100);
  });
});

test('the CLI serves until SIGINT, and says that it does not enforce IAM', async () => {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '..', '..', 'simulator', 'server.ts'), '--region', 'eu-west-1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+) \(region eu-west-1/.exec(output);
        if (match) resolve(match[1]);
      });
      child.once('exit', (code) => reject(new Error(`the CLI exited with ${code}: ${output}`)));
    });
    const cli = new SecretsManagerClient({ endpoint, region: 'eu-west-1', credentials: simulator.clientConfig().credentials });
    const created = await cli.send(new CreateSecretCommand({ Name: 'via-cli', SecretString: 'v' }));
    cli.destroy();
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:via-cli-/);

    const exitCode = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exitCode).toBe(0);
    expect(output).toMatch(/^IAM enforcement: off$/m);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
});

test('CreateSecret repeated with the same token and value is a no-op success', async () => {
  const request = { Name: 'idempotent', SecretString: 'v', ClientRequestToken: '0a1b2c3d-0000-4000-8000-000000000001' };
  const first = await client.send(new CreateSecretCommand(request));
  const again = await client.send(new CreateSecretCommand(request));

  expect(again).toMatchObject({ ARN: first.ARN, VersionId: first.VersionId });
  await expect(client.send(new CreateSecretCommand({ ...request, SecretString: 'other' }))).rejects.toMatchObject({ name: 'ResourceExistsException' });
});
