import { ResourceHandler } from './handler';
import { generatedName } from './physical-names';

/** AWS::Logs::LogGroup in the simulator's log store. Ref is the name; Arn ends with `:*`, as CloudFormation's. */
export const logGroupHandler: ResourceHandler = {
  async create(request, env) {
    const name = request.properties.LogGroupName ?? generatedName(request.stack.name, request.logicalId, { maxLength: 512 });
    env.sim.logs.createGroup(name);
    return { physicalId: name, attributes: { Arn: `arn:${env.partition}:logs:${env.region}:${env.accountId}:log-group:${name}:*` } };
  },
  async update(request) {
    return { physicalId: request.physicalId!, attributes: request.attributes ?? {} };
  },
  async delete(request, env) {
    env.sim.logs.deleteGroup(request.physicalId!);
  },
};
