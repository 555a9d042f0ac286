export * from './database-target';
export * from './existing-secret-rotation';
export * from './redshift-cluster-target';
export * from './rotating-secret';
export * from './rotation-options';
export * from './rotation-strategy';
export * from './schedule';
export * from './redis-rotation-options';
