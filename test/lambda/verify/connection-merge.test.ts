import { connectionProblem, planMerge } from '../../../lambda/verify/connection-merge';

const CURRENT = { engine: 'postgres', host: 'old.internal', port: 5432, username: 'app', password: 'p@ss"word', ssl: false, extra: { keep: [1, 2] } };

describe('planMerge', () => {
  test('writes the changed fields and keeps every other field, the password and the JSON types', () => {
    const plan = planMerge(JSON.stringify(CURRENT), { host: 'new.internal', port: 5433, ssl: true, dbname: 'orders' });

    expect(plan).toEqual({ kind: 'put', value: expect.any(String), fields: ['host', 'port', 'ssl', 'dbname'] });
    const merged = JSON.parse((plan as { value: string }).value);
    expect(merged).toEqual({ ...CURRENT, host: 'new.internal', port: 5433, ssl: true, dbname: 'orders' });
    expect(typeof merged.port).toBe('number');
    expect(typeof merged.ssl).toBe('boolean');
  });

  test('nothing to do when every field is there with the same value and type', () => {
    expect(planMerge(JSON.stringify(CURRENT), { host: 'old.internal', port: 5432 })).toEqual({ kind: 'none' });
  });

  test('a field of another type is a change (a port written as a string is fixed)', () => {
    expect(planMerge(JSON.stringify({ ...CURRENT, port: '5432' }), { port: 5432 })).toMatchObject({ kind: 'put', fields: ['port'] });
  });

  test('a string from the template (Fn::GetAtt of a port) keeps the number or boolean type the secret has', () => {
    expect(planMerge(JSON.stringify(CURRENT), { port: '5432', ssl: 'false' })).toEqual({ kind: 'none' });
    const plan = planMerge(JSON.stringify(CURRENT), { port: '5433', ssl: 'true', host: '10.0.0.1' });
    expect(plan).toMatchObject({ kind: 'put', fields: ['port', 'ssl', 'host'] });
    expect(JSON.parse((plan as { value: string }).value)).toMatchObject({ port: 5433, ssl: true, host: '10.0.0.1' });
  });

  test.each([
    [undefined, 'is binary, not a JSON object'],
    ['plain-password', 'is not JSON'],
    ['["a"]', 'is not a JSON object'],
    ['42', 'is not a JSON object'],
  ])('refuses a value that cannot take fields (%s), without quoting it', (value, why) => {
    expect(planMerge(value, { host: 'h' })).toEqual({ kind: 'refused', why });
  });
});

test('connection fields may not set the credentials', () => {
  expect(connectionProblem({ host: 'h', dbname: 'd' })).toBeUndefined();
  expect(connectionProblem({ host: 'h', password: 'x' })).toBe('must not set password: a merge keeps the credentials');
  expect(connectionProblem({ username: 'u', password: 'x' })).toBe('must not set username or password: a merge keeps the credentials');
});
