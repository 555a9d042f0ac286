import { describeDatabaseCrashRecovery } from './support/database-crash-suite';

// PostgreSQL single and alternating users, against a private cluster that checks passwords (scram-sha-256).
describeDatabaseCrashRecovery('postgres');
