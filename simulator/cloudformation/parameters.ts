import { Template, TemplateError } from './template';

/** The SSM parameters the deployer answers by default: CDK's bootstrap version, as a recent bootstrap stack has it. */
export const DEFAULT_SSM_PARAMETERS: Readonly<Record<string, string>> = { '/cdk-bootstrap/hnb659fds/version': '30' };

/**
 * The template's parameter values: given, else the default; `AWS::SSM::Parameter::Value<...>` types are looked up
 * by name in `ssmParameters`; list types are split at commas. Missing or disallowed values are template errors, as
 * CreateStack refuses them.
 */
export function resolveParameters(
  template: Template,
  given: Readonly<Record<string, string>>,
  ssmParameters: Readonly<Record<string, string>>,
): Record<string, unknown> {
  for (const name of Object.keys(given)) {
    if (!(name in (template.Parameters ?? {}))) throw new TemplateError(`Parameters: [${name}] do not exist in the template`);
  }
  const values: Record<string, unknown> = {};
  for (const [name, declaration] of Object.entries(template.Parameters ?? {})) {
    const raw = given[name] ?? (declaration.Default === undefined ? undefined : String(declaration.Default));
    if (raw === undefined) throw new TemplateError(`Parameters: [${name}] must have values`);
    if (declaration.AllowedValues && !declaration.AllowedValues.map(String).includes(raw)) {
      throw new TemplateError(`Parameter '${name}' must be one of AllowedValues`);
    }
    let value: string = raw;
    if (declaration.Type.startsWith('AWS::SSM::Parameter::Value<')) {
      const stored = ssmParameters[raw];
      if (stored === undefined) throw new TemplateError(`Unable to fetch parameters [${raw}] from parameter store for this account.`);
      value = stored;
    }
    values[name] = /^(List<|CommaDelimitedList)/.test(declaration.Type.replace('AWS::SSM::Parameter::Value<', '')) ? value.split(',').map((item) => item.trim()) : value;
  }
  return values;
}
