import { DeployEnvironment, NotSimulatedError, ResourceHandler, ResourceRequest, ResourceResult } from './handler';
import { generatedName } from './physical-names';
import type { IamService } from '../iam-service';

/**
 * AWS::IAM::User, in the IAM emulator the deployer was given (without one, it is not simulated). Ref is the name;
 * Fn::GetAtt Arn. A new UserName replaces the user; a new Path moves it. Deleting a user that still has access keys
 * fails as IAM's DeleteConflict does. Policies, groups and login profiles in the user's own properties are not
 * simulated.
 */
export const iamUserHandler: ResourceHandler = {
  async create(request, env) {
    const iam = serviceOf(request, env);
    const userName = request.properties.UserName ?? generatedName(request.stack.name, request.logicalId, { maxLength: 64 });
    return result(userName, await iam.createUser(userName, pathOf(request)));
  },
  async update(request, env) {
    const iam = serviceOf(request, env);
    const userName = request.properties.UserName ?? request.physicalId!;
    if (userName !== request.physicalId) return result(userName, await iam.createUser(userName, pathOf(request)));
    return result(userName, await iam.updateUserPath(userName, pathOf(request)));
  },
  async delete(request, env) {
    await serviceOf(request, env).deleteUser(request.physicalId!);
  },
};

const UNSIMULATED_PROPERTIES = ['Policies', 'Groups', 'LoginProfile', 'ManagedPolicyArns', 'PermissionsBoundary'];

function serviceOf(request: ResourceRequest, env: DeployEnvironment): IamService {
  if (env.iam === undefined) throw new NotSimulatedError('IAM users need an IAM emulator (LocalCloudFormation\'s `iam` option)');
  const unsimulated = UNSIMULATED_PROPERTIES.filter((name) => request.properties[name] !== undefined);
  if (unsimulated.length > 0) throw new NotSimulatedError(`IAM users' ${unsimulated.join(', ')} are not simulated`);
  return env.iam;
}

function pathOf(request: ResourceRequest): string {
  return request.properties.Path ?? '/';
}

function result(userName: string, arn: string): ResourceResult {
  return { physicalId: userName, attributes: { Arn: arn } };
}
