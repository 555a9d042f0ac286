import { Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { passwordEnvironment, resolvePasswordOptions, validatePasswordOptions } from './private/password-options';
import { RotationStrategyBinding } from './private/strategy-binding';

/**
 * How new passwords are generated: GetRandomPassword's options and semantics.
 *
 * The rotation function generates passwords itself with a cryptographically secure generator,
 * so its role needs no `secretsmanager:GetRandomPassword` on `*`.
 */
export interface PasswordOptions {
  /**
   * Length of the generated password, 4 to 4096.
   * @default 32
   */
  readonly passwordLength?: number;

  /**
   * Characters that never appear in the password.
   * @default '/@"\'\\' (as AWS's rotation templates)
   */
  readonly excludeCharacters?: string;

  /**
   * Leave out digits.
   * @default false
   */
  readonly excludeNumbers?: boolean;

  /**
   * Leave out punctuation (``!"#$%&'()*+,-./:;<=>?@[\]^_`{|}~``).
   * @default false
   */
  readonly excludePunctuation?: boolean;

  /**
   * Leave out uppercase letters.
   * @default false
   */
  readonly excludeUppercase?: boolean;

  /**
   * Leave out lowercase letters.
   * @default false
   */
  readonly excludeLowercase?: boolean;

  /**
   * Allow the space character.
   * @default false
   */
  readonly includeSpace?: boolean;

  /**
   * Include at least one character of every included type (uppercase, lowercase, digits, punctuation).
   * @default true
   */
  readonly requireEachIncludedType?: boolean;
}

/**
 * Options of the generic strategy: a plain password, or a JSON document with the password under one key.
 */
export interface RandomPasswordOptions extends PasswordOptions {
  /**
   * A JSON object the secret starts from; the password is stored under `generateStringKey`, and every
   * other field is kept as it is on each rotation.
   * @default - the secret is the password itself, a plain string
   */
  readonly secretStringTemplate?: string;

  /**
   * The JSON key that holds the password. Required with `secretStringTemplate`.
   * @default - no key: the secret is a plain string
   */
  readonly generateStringKey?: string;
}

/**
 * How a secret is rotated: what the new value is and what it protects.
 */
export abstract class RotationStrategy {
  /**
   * The generic strategy: a random password (or a JSON document with a random password under one key),
   * with no external service to update. Use it for API keys, tokens and shared secrets.
   */
  public static randomPassword(options: RandomPasswordOptions = {}): RotationStrategy {
    return new RandomPasswordStrategy(options);
  }

  /**
   * Binds the strategy to a rotating secret.
   * @internal
   */
  public abstract _bind(scope: Construct): RotationStrategyBinding;
}

class RandomPasswordStrategy extends RotationStrategy {
  constructor(private readonly options: RandomPasswordOptions) {
    super();
    validatePasswordOptions(options);
    validateTemplate(options);
  }

  public _bind(_scope: Construct): RotationStrategyBinding {
    const { secretStringTemplate, generateStringKey } = this.options;
    const password = resolvePasswordOptions(this.options);
    const environment: { [name: string]: string } = { ROTATION_STRATEGY: 'generic', ...passwordEnvironment(password) };
    if (generateStringKey !== undefined) environment.GENERATE_STRING_KEY = generateStringKey;
    return {
      strategyName: 'generic',
      environment,
      // CloudFormation generates the first value with the same rules the rotation function uses later.
      generateSecretString: { ...password, secretStringTemplate, generateStringKey },
    };
  }
}

function validateTemplate(options: RandomPasswordOptions) {
  const { secretStringTemplate: template, generateStringKey: key } = options;
  if (template !== undefined && key === undefined) {
    throw new Error('`generateStringKey` is required with `secretStringTemplate`: name the JSON key that holds the password');
  }
  if (key !== undefined && template === undefined) {
    throw new Error(`\`secretStringTemplate\` is required with \`generateStringKey\` ("${key}"): give the JSON object the password goes into, e.g. '{}'`);
  }
  if (key !== undefined && !Token.isUnresolved(key) && key.length === 0) {
    throw new Error('`generateStringKey` must not be empty');
  }
  if (template === undefined || Token.isUnresolved(template)) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(template);
  } catch {
    throw new Error(`\`secretStringTemplate\` must be a JSON object, got ${JSON.stringify(template)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`\`secretStringTemplate\` must be a JSON object, got ${JSON.stringify(template)}`);
  }
}
