import { App, Duration, Errors, Stack, Token, aws_ec2 as ec2, aws_lambda as lambda, aws_logs as logs, aws_rds as rds, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DatabaseTarget, ExistingSecretRotation, RotatingSecret, RotatingSecretProps, RotationStrategy, Schedule } from '../src';

function synth(props: () => RotatingSecretProps) {
  const stack = new Stack(new App(), 'Stack');
  new RotatingSecret(stack, 'Secret', props());
  return Template.fromStack(stack);
}

/** A rotation function imported into an app of its own: its ARN is all the strategy takes from it. */
const OWN_FUNCTION = lambda.Function.fromFunctionArn(new Stack(), 'OwnRotation', 'arn:aws:lambda:us-east-1:123456789012:function:own-rotation');

/** What `build` throws: aws-cdk-lib's ValidationError, its message led by the path of the construct at fault. */
function validationError(build: () => unknown, path: string): string {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  expect(Errors.isValidationError(thrown)).toBe(true);
  const message = (thrown as Error).message;
  expect(message.startsWith(`[${path}] `)).toBe(true);
  return message;
}

describe('bad props fail at synth with aws-cdk-lib\'s ValidationError naming the construct, the prop and the bad value', () => {
  test.each<[string, () => RotatingSecretProps, RegExp]>([
    ['schedule under 4 hours', () => ({ schedule: Schedule.rate(Duration.hours(2)) }), /`schedule` must be at least 4 hours, got 2 hours/],
    ['schedule over 1000 days', () => ({ schedule: Schedule.rate(Duration.days(1001)) }), /`schedule` must be at most 1000 days, got 1001 days/],
    ['schedule not whole hours', () => ({ schedule: Schedule.rate(Duration.minutes(270)) }), /`schedule` must be a whole number of hours, got 4 hours 30 minutes/],
    ['rate expression under 4 hours', () => ({ schedule: Schedule.expression('rate(3 hours)') }), /`schedule` must be at least 4 hours, got "rate\(3 hours\)"/],
    ['malformed expression', () => ({ schedule: Schedule.expression('every day') }), /`schedule` must be rate\(\.\.\.\) or cron\(\.\.\.\), got "every day"/],
    ['malformed rate', () => ({ schedule: Schedule.expression('rate(5 weeks)') }), /`schedule` rate must look like/],
    ['cron minutes not 0', () => ({ schedule: Schedule.cron({ minute: '30', hour: '2' }) }), /cron minute must be 0 .*got "30"/],
    ['cron year not *', () => ({ schedule: Schedule.cron({ hour: '2', year: '2027' }) }), /cron year must be \*, got "2027"/],
    ['cron with both day fields', () => ({ schedule: Schedule.expression('cron(0 2 1 * MON *)') }), /exactly one of day and weekDay to be \?, got day "1" and weekDay "MON"/],
    ['cron with neither day field', () => ({ schedule: Schedule.expression('cron(0 2 ? * ? *)') }), /exactly one of day and weekDay/],
    ['cron with 5 fields', () => ({ schedule: Schedule.expression('cron(0 2 * * ?)') }), /cron must have 6 fields .* got 5/],
    ['cron hour out of range', () => ({ schedule: Schedule.cron({ hour: '24' }) }), /cron hour field has an invalid value "24"/],
    ['cron month name unknown', () => ({ schedule: Schedule.cron({ hour: '1', month: 'FOO' }) }), /cron month field has an invalid value "FOO"/],
    ['cron hourly', () => ({ schedule: Schedule.cron({ hour: '*' }) }), /at least 4 hours apart, but .* rotates at 0:00 and 1:00/],
    ['cron every 2 hours', () => ({ schedule: Schedule.cron({ hour: '*/2' }) }), /at least 4 hours apart/],
    ['cron 22h and 1h (across midnight)', () => ({ schedule: Schedule.cron({ hour: '1,22' }) }), /rotates at 22:00 and 1:00 the next day/],
    ['window longer than a rate in hours', () => ({ schedule: Schedule.rate(Duration.hours(6)), window: Duration.hours(8) }), /`window` must fit the schedule rate\(6 hours\): at most 6 hours, got 8 hours/],
    ['window past the end of the day', () => ({ schedule: Schedule.cron({ hour: '20' }), window: Duration.hours(5) }), /`window` must fit the schedule cron\(0 20 \* \* \? \*\): at most 4 hours, got 5 hours/],
    ['window longer than a day', () => ({ window: Duration.hours(25) }), /at most 24 hours, got 1 day 1 hour/],
    ['window not whole hours', () => ({ window: Duration.minutes(90) }), /`window` must be a whole number of hours \(at least 1\), got 1 hour 30 minutes/],
    ['password too short', () => ({ strategy: RotationStrategy.randomPassword({ passwordLength: 3 }) }), /`passwordLength` must be a whole number from 4 to 4096, got 3/],
    ['password too long', () => ({ strategy: RotationStrategy.randomPassword({ passwordLength: 4097 }) }), /`passwordLength` must be a whole number from 4 to 4096, got 4097/],
    ['password length not whole', () => ({ strategy: RotationStrategy.randomPassword({ passwordLength: 10.5 }) }), /got 10.5/],
    ['every class excluded', () => ({
      strategy: RotationStrategy.randomPassword({ excludeNumbers: true, excludePunctuation: true, excludeUppercase: true, excludeLowercase: true }),
    }), /leave no character to choose from/],
    ['every character excluded by excludeCharacters', () => ({
      strategy: RotationStrategy.randomPassword({ excludePunctuation: true, excludeUppercase: true, excludeLowercase: true, excludeCharacters: '0123456789' }),
    }), /leave no character to choose from/],
    ['template without key', () => ({ strategy: RotationStrategy.randomPassword({ secretStringTemplate: '{"user":"a"}' }) }), /`generateStringKey` is required with `secretStringTemplate`/],
    ['key without template', () => ({ strategy: RotationStrategy.randomPassword({ generateStringKey: 'password' }) }), /`secretStringTemplate` is required with `generateStringKey` \("password"\)/],
    ['template not JSON', () => ({ strategy: RotationStrategy.randomPassword({ secretStringTemplate: '{user', generateStringKey: 'p' }) }), /`secretStringTemplate` must be a JSON object, got "\{user"/],
    ['template a JSON array', () => ({ strategy: RotationStrategy.randomPassword({ secretStringTemplate: '[1]', generateStringKey: 'p' }) }), /`secretStringTemplate` must be a JSON object/],
    ['empty key', () => ({ strategy: RotationStrategy.randomPassword({ secretStringTemplate: '{}', generateStringKey: '' }) }), /`generateStringKey` must not be empty/],
    ['own function: template without key', () => ({ strategy: RotationStrategy.fromFunction(OWN_FUNCTION, { secretStringTemplate: '{"user":"a"}' }) }), /`generateStringKey` is required with `secretStringTemplate`/],
    ['own function: key without template', () => ({ strategy: RotationStrategy.fromFunction(OWN_FUNCTION, { generateStringKey: 'token' }) }), /`secretStringTemplate` is required with `generateStringKey` \("token"\)/],
    ['custom: timeout over 15 minutes', () => ({ strategy: RotationStrategy.custom({ entry: 'rotate.ts', timeout: Duration.minutes(16) }) }), /`timeout` must be from 1 second to 15 minutes, got 16 minutes/],
    ['custom: key without template', () => ({ strategy: RotationStrategy.custom({ entry: 'rotate.ts', generateStringKey: 'key' }) }), /`secretStringTemplate` is required with `generateStringKey` \("key"\)/],
    ['own function: template not JSON', () => ({ strategy: RotationStrategy.fromFunction(OWN_FUNCTION, { secretStringTemplate: 'token', generateStringKey: 'k' }) }), /`secretStringTemplate` must be a JSON object, got "token"/],
    ['verification timeout too short', () => ({ verification: { timeout: Duration.seconds(30) } }), /`verification.timeout` must be a whole number of seconds from 1 minute to 55 minutes, got 30 seconds/],
    ['verification timeout too long', () => ({ verification: { timeout: Duration.hours(1) } }), /`verification.timeout` must be a whole number of seconds from 1 minute to 55 minutes, got 1 hour/],
    ['poll interval too short', () => ({ verification: { pollInterval: Duration.seconds(1) } }), /`verification.pollInterval` must be a whole number of seconds from 5 seconds to 5 minutes, got 1 second/],
    ['poll interval of a fraction of a second', () => ({ verification: { pollInterval: Duration.millis(7500) } }), /`verification.pollInterval` must be a whole number of seconds .* got 7.5 seconds/],
    ['timeout of a fraction of a second', () => ({ verification: { timeout: Duration.millis(90_500) } }), /`verification.timeout` must be a whole number of seconds .* got 90.5 seconds/],
    ['verification options without verification', () => ({ verifyOnDeploy: false, verification: { repairStalePending: true } }), /`verification` has no effect with `verifyOnDeploy: false`/],
    ['secret name with a space and #', () => ({ secretName: 'my secret!#' }), /`secretName` must be 1 to 512 letters, digits and \/_\+=\.@- characters, got "my secret!#"/],
    ['secret name over 512 characters', () => ({ secretName: 'a'.repeat(513) }), /`secretName` must be 1 to 512 letters/],
    ['empty secret name', () => ({ secretName: '' }), /`secretName` must be 1 to 512 letters, digits and \/_\+=\.@- characters, got ""/],
    ['token schedule in minutes', () => ({ schedule: Schedule.rate(Duration.minutes(Token.asNumber({ Ref: 'Minutes' }))) }),
      /`schedule` from a token must be a duration in days or hours \(Duration.days\(param\) or Duration.hours\(param\)\), got a token in minutes/],
    ['options for a disabled schedule', () => ({ schedule: Schedule.disabled(), window: Duration.hours(2) }), /`window` has no effect with `Schedule.disabled\(\)`/],
  ])('%s', (_name, props, error) => {
    expect(validationError(() => synth(props), 'Stack/Secret')).toMatch(error);
  });

  test('two secrets of one stack with the same secretName: the second names the first', () => {
    const stack = new Stack(new App(), 'Stack');
    new RotatingSecret(stack, 'First', { secretName: 'prod/api-key' });
    const message = validationError(() => new RotatingSecret(stack, 'Second', { secretName: 'prod/api-key' }), 'Stack/Second');
    expect(message).toMatch(/`secretName` "prod\/api-key" is already the name of Stack\/First in this stack/);
    // Another stack may use the name (another account or Region, or after this one is gone).
    expect(() => new RotatingSecret(new Stack(stack.node.root as App, 'Other'), 'Secret', { secretName: 'prod/api-key' })).not.toThrow();
  });

  test('an ExistingSecretRotation\'s bad props name it', () => {
    const stack = new Stack(new App(), 'Stack');
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Imported', 'partner-key');
    expect(validationError(() => new ExistingSecretRotation(stack, 'Rotation', { secret, schedule: Schedule.expression('every day') }), 'Stack/Rotation'))
      .toMatch(/`schedule` must be rate\(\.\.\.\) or cron\(\.\.\.\), got "every day"/);
    expect(validationError(() => new ExistingSecretRotation(stack, 'Rotation2', { secret, strategy: RotationStrategy.randomPassword({ passwordLength: 2 }) }), 'Stack/Rotation2'))
      .toMatch(/`passwordLength` must be a whole number from 4 to 4096, got 2/);
  });

  test('a function of another account or Region cannot rotate the secret: the error says where to deploy it', () => {
    const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'eu-west-1' } });
    for (const [id, arn] of [
      ['OtherAccount', 'arn:aws:lambda:eu-west-1:222222222222:function:rotation'],
      ['OtherRegion', 'arn:aws:lambda:us-east-1:111111111111:function:rotation'],
    ]) {
      const fn = lambda.Function.fromFunctionArn(stack, `${id}Function`, arn);
      expect(validationError(() => new RotatingSecret(stack, id, { strategy: RotationStrategy.fromFunction(fn) }), `Stack/${id}`))
        .toMatch(/`fromFunction`: the function Stack\/\w+Function is in account \d{12}, Region [a-z0-9-]+, and the secret's stack in account 111111111111, Region eu-west-1: .* Deploy the function \(or the Serverless Application Repository application\) in the secret's account and Region/);
    }
  });

  test('two secrets that name different log groups for one function', () => {
    const stack = new Stack(new App(), 'Stack');
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:123456789012:function:own-rotation');
    new RotatingSecret(stack, 'First', { strategy: RotationStrategy.fromFunction(fn, { logGroup: new logs.LogGroup(stack, 'A') }) });
    expect(validationError(() => new RotatingSecret(stack, 'Second', { strategy: RotationStrategy.fromFunction(fn, { logGroup: new logs.LogGroup(stack, 'B') }) }), 'Stack/Second'))
      .toMatch(/`logGroup` of `fromFunction` differs from the one another secret of this stack gave for the same function \(Stack\/Fn\)/);
  });

  test.each([5, 7, 11, 70, 210, 300])('every whole-second poll interval in the documented range synthesizes: %i s', (seconds) => {
    expect(() => synth(() => ({ verification: { pollInterval: Duration.seconds(seconds) } }))).not.toThrow();
  });

  test('the shortest password still holds one character of each of the four types', () => {
    expect(() => synth(() => ({ strategy: RotationStrategy.randomPassword({ passwordLength: 4, excludeCharacters: '' }) }))).not.toThrow();
  });
});

describe('valid schedules', () => {
  test.each<[string, Schedule, string]>([
    ['4 hours', Schedule.rate(Duration.hours(4)), 'rate(4 hours)'],
    ['1 day', Schedule.rate(Duration.days(1)), 'rate(1 day)'],
    ['36 hours', Schedule.rate(Duration.hours(36)), 'rate(36 hours)'],
    ['1000 days', Schedule.rate(Duration.days(1000)), 'rate(1000 days)'],
    ['cron defaults to midnight daily', Schedule.cron({}), 'cron(0 0 * * ? *)'],
    ['cron on weekdays', Schedule.cron({ hour: '6', weekDay: 'MON-FRI' }), 'cron(0 6 ? * MON-FRI *)'],
    ['cron every 6 hours', Schedule.cron({ hour: '*/6' }), 'cron(0 */6 * * ? *)'],
    ['cron last day of month', Schedule.cron({ hour: '4', day: 'L' }), 'cron(0 4 L * ? *)'],
    ['cron first Sunday', Schedule.cron({ hour: '4', weekDay: 'SUN#1' }), 'cron(0 4 ? * SUN#1 *)'],
    ['expression', Schedule.expression('cron(0 8,16 1,15 JAN-JUN ? *)'), 'cron(0 8,16 1,15 JAN-JUN ? *)'],
  ])('%s', (_name, schedule, expression) => {
    const template = synth(() => ({ schedule }));
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { ScheduleExpression: expression } });
  });

  test('a token schedule in days or hours renders as a rate Secrets Manager judges at deploy', () => {
    for (const [unit, interval] of [['days', Duration.days], ['hours', Duration.hours]] as const) {
      synth(() => ({ schedule: Schedule.rate(interval(Token.asNumber({ Ref: 'Interval' }))) })).hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: { 'Fn::Join': ['', ['rate(', { Ref: 'Interval' }, ` ${unit})`]] } },
      });
    }
  });

  test('tokens are not judged', () => {
    expect(() => Schedule.expression(Token.asString({ Ref: 'ScheduleParameter' }))).not.toThrow();
    expect(() => RotationStrategy.randomPassword({ passwordLength: Token.asNumber({ Ref: 'LengthParameter' }) })).not.toThrow();
  });

  test('the longest window that fits: 8 hours between rotations at 8:00 and 16:00', () => {
    const template = synth(() => ({ schedule: Schedule.cron({ hour: '8,16' }), window: Duration.hours(8) }));
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotationRules: { Duration: '8h' } });
    expect(() => synth(() => ({ schedule: Schedule.cron({ hour: '8,16' }), window: Duration.hours(9) }))).toThrow(/at most 8 hours/);
  });
});

describe('a database strategy needs a route to its database', () => {
  function databaseStack(instanceProps: Partial<rds.DatabaseInstanceProps>, strategyVpc: boolean) {
    const stack = new Stack(new App(), 'Stack');
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const instance = new rds.DatabaseInstance(stack, 'Db', {
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_16 }),
      vpc,
      ...instanceProps,
    });
    new RotatingSecret(stack, 'Secret', {
      strategy: RotationStrategy.postgresSingleUser({ username: 'app', database: DatabaseTarget.fromInstance(instance), ...(strategyVpc ? { vpc } : {}) }),
    });
    return stack;
  }

  test('a database in a VPC, not publicly accessible, and no `vpc`: the error names the prop, the secret and the database', () => {
    expect(() => Template.fromStack(databaseStack({}, false)))
      .toThrow(/\[Stack\/Secret\] `vpc` is required: the database Stack\/Db is in a VPC and not publicly accessible, so a rotation function outside the VPC could not reach it/);
  });

  test('with `vpc`, or with a publicly accessible database, it synthesizes', () => {
    expect(() => Template.fromStack(databaseStack({}, true))).not.toThrow();
    const publicInstance = { publiclyAccessible: true, vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } };
    expect(() => Template.fromStack(databaseStack(publicInstance, false))).not.toThrow();
  });
});
