import { Token, aws_ec2 as ec2, aws_rds as rds } from 'aws-cdk-lib';

/**
 * Where a database listens: host, port and (when known) its security groups, so the rotation function
 * can be given a network path to it.
 */
export abstract class DatabaseTarget {
  /** An RDS (or Aurora-compatible single) instance: its endpoint and security groups. */
  public static fromInstance(instance: rds.IDatabaseInstance): DatabaseTarget {
    return new ConnectableTarget(instance.dbInstanceEndpointAddress, Token.asNumber(instance.dbInstanceEndpointPort), instance);
  }

  /** An Aurora or Multi-AZ cluster: its writer endpoint and security groups. */
  public static fromCluster(cluster: rds.IDatabaseCluster): DatabaseTarget {
    return new ConnectableTarget(cluster.clusterEndpoint.hostname, Token.asNumber(cluster.clusterEndpoint.port), cluster);
  }

  /**
   * Any host and port, e.g. a database outside AWS or behind a proxy. Give `connections` to open the path
   * from the rotation function to it.
   */
  public static fromEndpoint(options: DatabaseEndpointOptions): DatabaseTarget {
    return new ConnectableTarget(options.host, options.port, options.connections);
  }

  /** Host name or address, as the rotation function connects to it. */
  public abstract readonly host: string;
  /** Port, or undefined for the engine's default. */
  public abstract readonly port?: number;
  /** The database's network identity, when known. */
  public abstract readonly connectable?: ec2.IConnectable;
}

/**
 * A database given by host and port.
 */
export interface DatabaseEndpointOptions {
  /** Host name or IP address. */
  readonly host: string;

  /**
   * Port.
   * @default - the engine's default port (5432 for PostgreSQL, 3306 for MySQL and MariaDB, 5439 for Amazon Redshift, 6379 for Redis and Valkey)
   */
  readonly port?: number;

  /**
   * The database's security groups, to allow the rotation function in.
   * @default - no rule is added; open the path yourself
   */
  readonly connections?: ec2.IConnectable;
}

class ConnectableTarget extends DatabaseTarget {
  constructor(
    public readonly host: string,
    public readonly port: number | undefined,
    public readonly connectable: ec2.IConnectable | undefined,
  ) {
    super();
  }
}
