import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RotatingSecret, RotatingSecretProps, RotationStrategy, Schedule } from '../src';

function synth(props: () => RotatingSecretProps) {
  const stack = new Stack(new App(), 'Stack');
  new RotatingSecret(stack, 'Secret', props());
  return Template.fromStack(stack);
}

describe('bad props fail at synth with the prop and the bad value', () => {
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
    ['verification timeout too short', () => ({ verification: { timeout: Duration.seconds(30) } }), /`verification.timeout` must be a whole number of seconds from 1 minute to 55 minutes, got 30 seconds/],
    ['verification timeout too long', () => ({ verification: { timeout: Duration.hours(1) } }), /`verification.timeout` must be a whole number of seconds from 1 minute to 55 minutes, got 1 hour/],
    ['poll interval too short', () => ({ verification: { pollInterval: Duration.seconds(1) } }), /`verification.pollInterval` must be a whole number of seconds from 5 seconds to 5 minutes, got 1 second/],
    ['poll interval of a fraction of a second', () => ({ verification: { pollInterval: Duration.millis(7500) } }), /`verification.pollInterval` must be a whole number of seconds .* got 7.5 seconds/],
    ['timeout of a fraction of a second', () => ({ verification: { timeout: Duration.millis(90_500) } }), /`verification.timeout` must be a whole number of seconds .* got 90.5 seconds/],
    ['verification options without verification', () => ({ verifyOnDeploy: false, verification: { repairStalePending: true } }), /`verification` has no effect with `verifyOnDeploy: false`/],
  ])('%s', (_name, props, error) => {
    expect(() => synth(props)).toThrow(error);
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
