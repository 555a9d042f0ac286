/** How moto deviates in one scenario: in words, and what the scenario's failure on moto shows. */
export interface MotoDeviation {
  readonly says: string;
  /**
   * Matches the scenario's failure on moto (a failed expectation's message, or `<AWS error> (HTTP <status>): <message>`),
   * so that the scenario fails where and how the deviation says, not just anyhow.
   */
  readonly shows: RegExp;
}

/** The scenario expected an AWS error, and moto's call succeeded. */
const SUCCEEDED = /^expect\(received\)\.toBeDefined\(\)\n\nReceived: undefined$/;
/** A version without labels, which AWS drops from VersionIdsToStages, is listed by moto with []. */
const LABEL_LESS_VERSION = /\+ +"[0-9a-f-]{36}": Array \[\],/;

/**
 * Where moto (5.2.x) is known to answer differently from AWS, by scenario name. The moto run of each of these
 * scenarios is asserted to fail as described, so the table stays honest: when moto changes, or a scenario's
 * expectation is wrong, the test says so.
 */
export const MOTO_DEVIATIONS: Readonly<Record<string, MotoDeviation>> = {
  'CreateSecret: a taken name is ResourceExistsException; a name scheduled for deletion is InvalidRequestException':
    { says: 'a name scheduled for deletion answers ResourceExistsException, like a taken one', shows: /Expected: "InvalidRequestException"\nReceived: "ResourceExistsException"/ },
  'PutSecretValue: a new AWSCURRENT moves AWSPREVIOUS to the former current version; older versions become deprecated':
    { says: 'label-less versions stay in VersionIdsToStages as []', shows: LABEL_LESS_VERSION },
  'ListSecretVersionIds: deprecated versions are listed only with IncludeDeprecated, without VersionStages':
    { says: 'IncludeDeprecated is ignored: deprecated versions are always listed', shows: /^expect\(received\)\.not\.toContain\(expected\)/ },
  'PutSecretValue: a manual new AWSCURRENT drops AWSPENDING from the former [AWSCURRENT, AWSPENDING] version':
    { says: 'after UpdateSecretVersionStage, PutSecretValue moves AWSCURRENT off its stale default version, so two versions hold AWSCURRENT and AWSPENDING stays', shows: /\+ +"AWSCURRENT",\n\+ +"AWSPENDING",/ },
  'GetSecretValue: a missing staging label is ResourceNotFoundException naming the label':
    { says: 'the message is "can\'t find the specified secret." instead of naming the staging label', shows: /Received: "Secrets Manager can't find the specified secret\."/ },
  'Errors: ResourceNotFoundException and InvalidRequestException are HTTP 400':
    { says: 'ResourceNotFoundException and the VersionId/VersionStage mismatch are HTTP 404', shows: /Expected: 400\nReceived: 404/ },
  'UpdateSecretVersionStage: moving AWSCURRENT onto the AWSPENDING version gives [AWSCURRENT, AWSPENDING] and AWSPREVIOUS follows':
    { says: 'label-less versions stay in VersionIdsToStages as []', shows: LABEL_LESS_VERSION },
  'PutSecretValue: the token of the value-less AWSPENDING placeholder fills it in (once)':
    { says: 'a token held by any AWSPENDING version overwrites differing data instead of ResourceExistsException', shows: SUCCEEDED },
  "RotateSecret: AWSPENDING on a version other than AWSCURRENT's is InvalidRequestException (previous rotation)":
    { says: 'the previous-rotation check is inverted: a genuinely pending version is accepted (and its label stripped)', shows: SUCCEEDED },
  "RotateSecret: after a completed rotation (AWSPENDING on AWSCURRENT's version) the next rotation starts":
    { says: 'the previous-rotation check is inverted: the templates\' normal end state is refused ("Previous rotation request is still in progress.")', shows: /^InvalidRequestException \(HTTP 400\): Previous rotation request is still in progress\.$/ },
  'RotateSecret: without a rotation function ARN is InvalidRequestException and changes nothing':
    { says: 'succeeds and promotes an empty version to AWSCURRENT', shows: SUCCEEDED },
  'RotateSecret: AutomaticallyAfterDays together with ScheduleExpression is InvalidParameterException':
    { says: 'ScheduleExpression is not supported, so the conflict is not detected', shows: SUCCEEDED },
  'RotateSecret: a function Secrets Manager cannot invoke is AccessDeniedException and nothing is stored':
    { says: 'ResourceNotFoundException, after the pending version and the configuration have been stored', shows: /Expected: "AccessDeniedException"\nReceived: "ResourceNotFoundException"/ },
  'RotateSecret: ScheduleExpression and Duration are stored and echoed by DescribeSecret':
    { says: 'ScheduleExpression and Duration are dropped; RotationRules reads {"AutomaticallyAfterDays":0}', shows: /\+ +"AutomaticallyAfterDays": 0,/ },
  'Raw HTTP without ClientRequestToken: refused with the recorded error codes':
    { says: 'a missing ClientRequestToken is generated instead of refused', shows: /- +"__type": "InvalidRequestException",[^]*\+ +"VersionId": / },
  'GetRandomPassword: excluding every character type is a client error (400)':
    { says: 'answers HTTP 500 (an internal IndexError)', shows: /Expected: 400\nReceived: 500/ },
};
