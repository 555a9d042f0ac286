import { VerificationError } from './errors';
import { CheckProperties, ContractError, decodeCheckProperties } from '../../src/private/contract';

/** The resource's properties; a property that breaks the contract fails the request with a one-line message. */
export function readCheckProperties(raw: Readonly<Record<string, unknown>> | undefined): CheckProperties {
  try {
    return decodeCheckProperties(raw);
  } catch (error) {
    if (error instanceof ContractError) throw new VerificationError(error.message);
    throw error;
  }
}
