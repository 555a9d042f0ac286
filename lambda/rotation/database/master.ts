import type { StepContext } from '../types';
import type { DatabaseClient } from './client';
import type { DatabaseEngine } from './engines/engine';
import { Credentials, tryLogin } from './login';
import { DatabaseSecret, MasterSecret, parseMasterSecret } from './secret';
import type { DatabaseSettings } from './settings';
import { AWSCURRENT } from '../../../src/private/contract';

/**
 * Logs in as the administrator named by the secret's `masterarn`, on the secret's server. An RDS-managed master
 * secret holds only `username` and `password`: the server is the secret's, and so is the database.
 */
export async function loginAsMaster<C extends DatabaseClient>(
  engine: DatabaseEngine<C>,
  settings: DatabaseSettings,
  context: StepContext,
  secret: DatabaseSecret,
  logFields: Record<string, unknown>,
): Promise<C> {
  if (secret.masterarn === undefined) {
    throw new Error(`the ${AWSCURRENT} secret: \`masterarn\` is missing; the administrator's credentials are needed to create the user`);
  }
  const credentials = await readMasterCredentials(context, engine, secret, secret.masterarn);
  const login = await tryLogin(engine.connect, { label: 'master', credentials }, settings, context.log, logFields);
  if (!login.ok) throw new Error(`Unable to log into database with the master secret named by \`masterarn\` (${login.error.message})`);
  return login.client;
}

async function readMasterCredentials<C extends DatabaseClient>(
  context: StepContext,
  engine: DatabaseEngine<C>,
  secret: DatabaseSecret,
  masterArn: string,
): Promise<Credentials> {
  const where = 'the master secret named by `masterarn`';
  const value = await context.store.getValue(masterArn, { stage: AWSCURRENT });
  if (value === undefined) throw new Error(`${where} has no ${AWSCURRENT} value`);
  const master: MasterSecret = parseMasterSecret(value, engine.family, where);
  if (master.host !== undefined && master.host !== secret.host) {
    throw new Error(`${where}: its \`host\` differs from the ${AWSCURRENT} secret's; the administrator must be on the same server`);
  }
  return {
    host: secret.host,
    port: master.port ?? secret.port,
    username: master.username,
    password: master.password,
    ...(secret.dbname === undefined ? {} : { database: secret.dbname }),
    tls: master.tls ?? secret.tls,
  };
}
