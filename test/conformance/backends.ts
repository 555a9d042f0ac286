import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsManagerSimulator } from '../../simulator';
import { createDummyRotationFunction, DUMMY_CREDENTIALS, startMoto } from '../support/moto';

export type BackendName = 'simulator' | 'moto';

/** A Secrets Manager implementation the conformance scenarios run against, through the real SDK client. */
export interface Backend {
  readonly name: BackendName;
  readonly endpoint: string;
  readonly region: string;
  readonly client: SecretsManagerClient;
  /**
   * A rotation function RotateSecret accepts. Its steps never change the secret: scenarios drive the steps
   * themselves, so both backends start from the same state (the placeholder RotateSecret creates).
   */
  readonly rotationFunctionArn: string;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';

function client(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint, region: REGION, credentials: DUMMY_CREDENTIALS, maxAttempts: 1 });
}

/**
 * The simulator, with a rotation function that waits forever in its first step: RotateSecret's placeholder can be
 * inspected before any step runs, and nothing the function does races the scenario. `stop()` leaves it waiting.
 */
export async function startSimulatorBackend(): Promise<Backend> {
  const simulator = await SecretsManagerSimulator.start({ region: REGION, maxRotationAttempts: 1 });
  const rotationFunctionArn = `arn:aws:lambda:${REGION}:123456789012:function:conformance-rotation`;
  simulator.registerFunction(rotationFunctionArn, { handler: () => new Promise(() => undefined) });
  const sdk = client(simulator.endpoint);
  return {
    name: 'simulator',
    endpoint: simulator.endpoint,
    region: REGION,
    client: sdk,
    rotationFunctionArn,
    stop: async () => {
      sdk.destroy();
      await simulator.stop();
    },
  };
}

/** moto, with its dummy Lambda function (moto cannot run it without Docker; it only records the call). */
export async function startMotoBackend(): Promise<Backend> {
  const moto = await startMoto();
  const rotationFunctionArn = await createDummyRotationFunction(moto.endpoint, REGION);
  const sdk = client(moto.endpoint);
  return {
    name: 'moto',
    endpoint: moto.endpoint,
    region: REGION,
    client: sdk,
    rotationFunctionArn,
    stop: async () => {
      sdk.destroy();
      await moto.stop();
    },
  };
}
