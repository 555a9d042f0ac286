/**
 * Where moto (5.2.x) is known to answer differently from AWS: scenario name → how moto answers. The moto run
 * of each of these scenarios is asserted to fail, so the table stays honest: when moto is fixed, the test says so.
 */
export const MOTO_DEVIATIONS: Readonly<Record<string, string>> = {
  'CreateSecret: a taken name is ResourceExistsException; a name scheduled for deletion is InvalidRequestException':
    'a name scheduled for deletion answers ResourceExistsException, like a taken one',
  'PutSecretValue: a new AWSCURRENT moves AWSPREVIOUS to the former current version; older versions become deprecated':
    'label-less versions stay in VersionIdsToStages as []',
  'ListSecretVersionIds: deprecated versions are listed only with IncludeDeprecated, without VersionStages':
    'IncludeDeprecated is ignored: deprecated versions are always listed',
  'PutSecretValue: a manual new AWSCURRENT drops AWSPENDING from the former [AWSCURRENT, AWSPENDING] version':
    'after UpdateSecretVersionStage, PutSecretValue moves AWSCURRENT off its stale default version, so two versions hold AWSCURRENT and AWSPENDING stays',
  'GetSecretValue: a missing staging label is ResourceNotFoundException naming the label':
    'the message is "can\'t find the specified secret." instead of naming the staging label',
  'Errors: ResourceNotFoundException and InvalidRequestException are HTTP 400':
    'ResourceNotFoundException and the VersionId/VersionStage mismatch are HTTP 404',
  'UpdateSecretVersionStage: moving AWSCURRENT onto the AWSPENDING version gives [AWSCURRENT, AWSPENDING] and AWSPREVIOUS follows':
    'label-less versions stay in VersionIdsToStages as []',
  'PutSecretValue: the token of the value-less AWSPENDING placeholder fills it in (once)':
    'a token held by any AWSPENDING version overwrites differing data instead of ResourceExistsException',
  "RotateSecret: AWSPENDING on a version other than AWSCURRENT's is InvalidRequestException (previous rotation)":
    'the previous-rotation check is inverted: a genuinely pending version is accepted (and its label stripped)',
  "RotateSecret: after a completed rotation (AWSPENDING on AWSCURRENT's version) the next rotation starts":
    'the previous-rotation check is inverted: the templates\' normal end state is refused ("Previous rotation request is still in progress.")',
  'RotateSecret: without a rotation function ARN is InvalidRequestException and changes nothing':
    'succeeds and promotes an empty version to AWSCURRENT',
  'RotateSecret: AutomaticallyAfterDays together with ScheduleExpression is InvalidParameterException':
    'ScheduleExpression is not supported, so the conflict is not detected',
  'RotateSecret: a function Secrets Manager cannot invoke is AccessDeniedException and nothing is stored':
    'ResourceNotFoundException, after the pending version and the configuration have been stored',
  'RotateSecret: ScheduleExpression and Duration are stored and echoed by DescribeSecret':
    'ScheduleExpression and Duration are dropped; RotationRules reads {"AutomaticallyAfterDays":0}',
  'Raw HTTP without ClientRequestToken: refused with the recorded error codes':
    'a missing ClientRequestToken is generated instead of refused',
  'GetRandomPassword: excluding every character type is a client error (400)':
    'answers HTTP 500 (an internal IndexError)',
};
