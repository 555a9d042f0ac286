import { Duration, aws_ec2 as ec2, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import type { DatabaseTarget } from './database-target';
import type { PasswordOptions } from './rotation-strategy';

/**
 * Options of the Redis and Valkey strategies: which ACL user's password rotates, where the server is, and how the
 * rotation function reaches it. For servers that take `ACL SETUSER` (self-managed Redis 7 or Valkey); ElastiCache
 * and MemoryDB users change passwords through their service's API instead.
 */
export interface RedisRotationOptions extends PasswordOptions {
  /**
   * The server: host, port (6379 unless given) and, when known, its security groups
   * (`DatabaseTarget.fromEndpoint({ host, port, connections })`).
   */
  readonly database: DatabaseTarget;

  /** The ACL user whose password this secret holds and rotates (no spaces). */
  readonly username: string;

  /**
   * Connect with TLS and verify the server's certificate (chain and host name, against the Lambda runtime's CA
   * bundle). Set false only for a server without TLS; it is stored in the secret as `"ssl": false`.
   * @default true
   */
  readonly ssl?: boolean;

  /**
   * The VPC to place the rotation function in. Needed when the server is only reachable inside a VPC.
   * @default - the function is not in a VPC
   */
  readonly vpc?: ec2.IVpc;

  /**
   * Subnets for the rotation function. They need a route to Secrets Manager: a NAT gateway or an interface endpoint.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;

  /**
   * Security groups of the rotation function.
   * @default - a new security group, allowed to reach the server's port
   */
  readonly securityGroups?: ec2.ISecurityGroup[];

  /**
   * How long one login (connect, TLS handshake and `AUTH`) may take, 1 to 60 whole seconds.
   * @default Duration.seconds(5)
   */
  readonly connectTimeout?: Duration;
}

/**
 * Options of the Redis and Valkey alternating-users strategy.
 */
export interface RedisAlternatingUsersOptions extends RedisRotationOptions {
  /**
   * The secret of an ACL user allowed `ACL GETUSER` and `ACL SETUSER` (`+acl|getuser +acl|setuser`): JSON with
   * `username` and `password`. Its ARN is stored in the rotated secret as `masterarn`.
   */
  readonly masterSecret: secretsmanager.ISecret;
}
