import { resourceTypeInfo } from '../resource-types';
import { DeployEnvironment, ResourceHandler, ResourceRequest, ResourceResult } from './handler';
import { generatedName, randomHex } from './physical-names';

/** EC2 resources are named by id: `vpc-0123456789abcdef0`. */
const EC2_ID_PREFIXES: Readonly<Record<string, string>> = {
  'AWS::EC2::VPC': 'vpc',
  'AWS::EC2::Subnet': 'subnet',
  'AWS::EC2::RouteTable': 'rtb',
  'AWS::EC2::SubnetRouteTableAssociation': 'rtbassoc',
  'AWS::EC2::InternetGateway': 'igw',
  'AWS::EC2::NatGateway': 'nat',
  'AWS::EC2::SecurityGroup': 'sg',
  'AWS::EC2::SecurityGroupIngress': 'sgr',
  'AWS::EC2::SecurityGroupEgress': 'sgr',
  'AWS::EC2::VPCEndpoint': 'vpce',
  'AWS::EC2::NetworkAcl': 'acl',
  'AWS::EC2::FlowLog': 'fl',
};

/** Types whose Ref is their ARN (the rest answer a name or id). */
const REF_IS_ARN = new Set(['AWS::SNS::Topic', 'AWS::SNS::Subscription', 'AWS::StepFunctions::StateMachine']);

/** Types whose generated names are lowercase. */
const LOWERCASE_NAMES = new Set(['AWS::S3::Bucket', 'AWS::RDS::DBSubnetGroup', 'AWS::RDS::DBParameterGroup', 'AWS::RDS::DBClusterParameterGroup']);

/**
 * Every other type: recorded as created, with a plausible Ref and every attribute its schema declares (ARNs from
 * the schema's ARN template, ids from the physical id, a few values taken from the properties).
 */
export const recordedHandler: ResourceHandler = {
  async create(request, env) {
    return describe(request, env, nameFor(request));
  },
  async update(request, env) {
    const physicalId = request.physicalId!;
    return describe(request, env, REF_IS_ARN.has(request.type) ? physicalId.split(/[:/]/).pop()! : physicalId);
  },
  async delete() {},
};

/** The resource's id or name (for REF_IS_ARN types, the last part of its ARN). */
function nameFor(request: ResourceRequest): string {
  const prefix = EC2_ID_PREFIXES[request.type];
  if (prefix) return `${prefix}-${randomHex(17)}`;
  if (request.type === 'AWS::EC2::EIP') return `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
  if (request.type === 'AWS::KMS::Alias') return String(request.properties.AliasName);
  // A name the template gives (TopicName, AlarmName, StateMachineName, ... or Name) is the resource's name.
  const given = request.properties[`${request.type.split('::')[2]}Name`] ?? request.properties.Name;
  if (typeof given === 'string') return given;
  return generatedName(request.stack.name, request.logicalId, { maxLength: 64, lowercase: LOWERCASE_NAMES.has(request.type) });
}

function describe(request: ResourceRequest, env: DeployEnvironment, name: string): ResourceResult {
  const info = resourceTypeInfo(request.type);
  const props = request.properties;
  const arn = arnFor(request.type, info?.arn, env, name);
  const physicalId = REF_IS_ARN.has(request.type) ? arn : name;
  const attributes: Record<string, unknown> = {};
  for (const attribute of info?.attributes ?? []) {
    attributes[attribute] = attributeValue(request.type, attribute, { props, physicalId, name, arn, env });
  }
  return { physicalId, attributes };
}

function arnFor(type: string, template: string | undefined, env: DeployEnvironment, name: string): string {
  if (!template) {
    const [, service, resource] = type.split('::');
    return `arn:${env.partition}:${service.toLowerCase()}:${env.region}:${env.accountId}:${resource.toLowerCase()}/${name}`;
  }
  return template.replace(/\$\{(\w+)\}/g, (_whole, variable: string) => {
    if (variable === 'Partition') return env.partition;
    if (variable === 'Region') return env.region;
    if (variable === 'Account') return env.accountId;
    return name;
  });
}

interface AttributeContext {
  readonly props: Record<string, any>;
  readonly physicalId: string;
  readonly name: string;
  readonly arn: string;
  readonly env: DeployEnvironment;
}

function attributeValue(type: string, attribute: string, context: AttributeContext): unknown {
  const { props, physicalId, name, arn, env } = context;
  if (type === 'AWS::EC2::VPC' && attribute === 'DefaultSecurityGroup') return `sg-${randomHex(17)}`;
  if (type === 'AWS::EC2::VPC' && attribute === 'DefaultNetworkAcl') return `acl-${randomHex(17)}`;
  if (type === 'AWS::EC2::EIP' && attribute === 'AllocationId') return `eipalloc-${randomHex(17)}`;
  if (type === 'AWS::EC2::EIP' && attribute === 'PublicIp') return physicalId;
  if (type === 'AWS::EC2::Subnet' && attribute === 'AvailabilityZone') return props.AvailabilityZone ?? `${env.region}a`;
  if (attribute.endsWith('CidrBlocks') || attribute.endsWith('Associations')) return [];
  if (props[attribute] !== undefined) return props[attribute];
  if (attribute === 'Arn' || attribute.endsWith('Arn')) return arn;
  if (attribute.endsWith('Name')) return name;
  return physicalId;
}
