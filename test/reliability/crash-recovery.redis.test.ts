import { describeDatabaseCrashRecovery } from './support/database-crash-suite';

// Redis single and alternating users, against the shared Redis 7 (every ACL user made here is deleted afterwards).
describeDatabaseCrashRecovery('redis');
