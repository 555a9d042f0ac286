import { ResourceHandler } from './handler';
import { iamUserHandler } from './iam-users';
import { eventInvokeConfigHandler, functionHandler } from './lambda';
import { logGroupHandler } from './logs';
import {
  kmsKeyHandler, lambdaPermissionHandler, managedPolicyHandler, policyHandler, roleHandler, secretResourcePolicyHandler,
} from './policies';
import { databaseClusterHandler, databaseInstanceHandler } from './rds';
import { recordedHandler } from './recorded';
import { rotationScheduleHandler, secretHandler, secretTargetAttachmentHandler } from './secrets-manager';
import { customResourceHandler } from '../custom-resources/protocol';

const HANDLERS: Readonly<Record<string, ResourceHandler>> = {
  'AWS::SecretsManager::Secret': secretHandler,
  'AWS::SecretsManager::RotationSchedule': rotationScheduleHandler,
  'AWS::SecretsManager::SecretTargetAttachment': secretTargetAttachmentHandler,
  'AWS::SecretsManager::ResourcePolicy': secretResourcePolicyHandler,
  'AWS::IAM::Role': roleHandler,
  'AWS::IAM::Policy': policyHandler,
  'AWS::IAM::ManagedPolicy': managedPolicyHandler,
  'AWS::IAM::User': iamUserHandler,
  'AWS::KMS::Key': kmsKeyHandler,
  'AWS::Lambda::Function': functionHandler,
  'AWS::Lambda::Permission': lambdaPermissionHandler,
  'AWS::Lambda::EventInvokeConfig': eventInvokeConfigHandler,
  'AWS::Logs::LogGroup': logGroupHandler,
  'AWS::RDS::DBInstance': databaseInstanceHandler,
  'AWS::RDS::DBCluster': databaseClusterHandler,
  'AWS::CloudFormation::CustomResource': customResourceHandler,
};

export function isCustomResource(type: string): boolean {
  return type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource';
}

/** The handler of a resource type: its family's, the custom-resource protocol, or the recording one. */
export function handlerFor(type: string): ResourceHandler {
  if (isCustomResource(type)) return customResourceHandler;
  return HANDLERS[type] ?? recordedHandler;
}

export { recordedHandler };
