import { generatePassword, PasswordRequest } from '../password';
import { Operation } from './context';

export const getRandomPassword: Operation = (_context, input) => ({
  RandomPassword: generatePassword(input as PasswordRequest),
});
