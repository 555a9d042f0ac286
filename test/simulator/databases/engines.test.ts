import { hostWithServer, HostFixture, openSession, queryOnce, serverDirectories } from './support';
import type { LocalEngine } from '../../../simulator/databases';
import { randomPassword } from '../../lambda/rotation/database/harness';

/** What each driver reports for a refused password, and for TLS asked of a server that serves none. */
const REFUSED: Record<LocalEngine, string> = { postgres: '28P01', mysql: 'ER_ACCESS_DENIED_ERROR' };
const NO_TLS: Record<LocalEngine, RegExp> = { postgres: /The server does not support SSL connections/, mysql: /Server does not support secure connection/ };

describe.each(['postgres', 'mysql'] as const)('%s', (engine) => {
  let fixture: HostFixture;
  const master = { user: 'rds_master', password: randomPassword(), database: 'orders' };

  beforeAll(async () => {
    fixture = await hostWithServer(engine, master);
  }, 120_000);

  afterAll(() => fixture?.remove());

  test('a wrong password is refused', async () => {
    await expect(openSession(fixture.database, { ...master, password: `${master.password}x` }, fixture.tls)).rejects.toMatchObject({ code: REFUSED[engine] });
  });

  test('stop and start keep the data', async () => {
    const { database, tls } = fixture;
    await queryOnce(database, master, tls, 'CREATE TABLE kept (id int)');
    await queryOnce(database, master, tls, 'INSERT INTO kept VALUES (1)');

    await database.stop();
    await expect(openSession(database, master, tls)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await database.start();

    expect(await queryOnce(database, master, tls, 'SELECT id FROM kept')).toEqual([{ id: 1 }]);
  });

  test('without TLS, plaintext logins work and still check the password', async () => {
    const plainMaster = { user: 'plain_master', password: master.password };
    const plain = await fixture.host.start({ engine, masterUsername: plainMaster.user, masterPassword: plainMaster.password, tls: false });
    try {
      expect(await queryOnce(plain, plainMaster, 'plaintext', 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await expect(openSession(plain, { ...plainMaster, password: 'wrong' }, 'plaintext')).rejects.toMatchObject({ code: REFUSED[engine] });
      await expect(openSession(plain, plainMaster, fixture.tls)).rejects.toThrow(NO_TLS[engine]);
    } finally {
      await plain.destroy();
    }
  });

  test('destroy stops the server and removes its directory', async () => {
    const { host, workDir, tls } = fixture;
    const before = await serverDirectories(workDir, engine);
    const doomed = await host.start({ engine, masterUsername: 'doomed', masterPassword: master.password });
    expect(await serverDirectories(workDir, engine)).toHaveLength(before.length + 1);

    await doomed.destroy();

    expect(await serverDirectories(workDir, engine)).toEqual(before);
    await expect(openSession(doomed, { user: 'doomed', password: master.password }, tls)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
