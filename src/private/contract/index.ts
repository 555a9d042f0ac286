/**
 * The contract between the constructs and the code they ship (rotation functions, the deploy-time check, the
 * sandbox): every environment variable, custom-resource property, staging label, log record, engine fact and
 * default that crosses a bundle boundary, typed once. It imports nothing from aws-cdk-lib, so every bundle can
 * import it. The simulator does not: it is the independent oracle of AWS's behaviour.
 */
export * from './access-keys';
export * from './check';
export * from './codec';
export * from './engines';
export * from './failure-log';
export * from './option-sets';
export * from './password-policy';
export * from './redshift';
export * from './rotation-function';
export * from './staging-labels';
