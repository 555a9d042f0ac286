/** Secrets Manager's staging labels, as the rotation protocol and the deploy-time check use them. */
export const AWSCURRENT = 'AWSCURRENT';
export const AWSPENDING = 'AWSPENDING';
export const AWSPREVIOUS = 'AWSPREVIOUS';
