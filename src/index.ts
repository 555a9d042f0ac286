export * from './database-target';
export * from './rotating-secret';
export * from './rotation-strategy';
export * from './schedule';
