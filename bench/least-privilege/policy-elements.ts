/**
 * The parts of the IAM policies a synthesized template grants (statements, their actions and condition keys), and
 * templates with one part taken out. Works on the template as synthesized (intrinsics unresolved), so the
 * deployer resolves a mutated template exactly as it resolves the original.
 */

export type Template = { Resources: Record<string, { Type: string; Properties?: any; DependsOn?: string | string[]; Metadata?: any }> };

/** Where a statement lives: a role's inline policy, a policy resource, or a Lambda permission. */
export interface StatementLocation {
  readonly logicalId: string;
  readonly resourceType: string;
  /** The construct path (aws:cdk:path), e.g. `Stack/GenericRotation/Policy/Resource`. */
  readonly path: string;
  /** The inline policy's name (AWS::IAM::Role Policies). */
  readonly inlinePolicy?: string;
  /** Index in the policy's Statement list (0 for a Lambda permission). */
  readonly index: number;
}

export interface PolicyStatementInfo extends StatementLocation {
  readonly actions: readonly string[];
  /** The resources as the template writes them, with what is resolved at deploy as `${<construct path>.Attribute}`. */
  readonly resources: readonly string[];
  /** `Operator key` of each condition key, e.g. `StringEquals secretsmanager:resource/AllowRotationLambdaArn`. */
  readonly conditions: readonly string[];
}

export type PolicyElement =
  | { readonly kind: 'statement'; readonly statement: PolicyStatementInfo }
  | { readonly kind: 'action'; readonly statement: PolicyStatementInfo; readonly action: string }
  | { readonly kind: 'condition'; readonly statement: PolicyStatementInfo; readonly condition: string };

/** Lambda::Permission properties that IAM evaluates as conditions of the statement the permission adds. */
const PERMISSION_CONDITIONS: Readonly<Record<string, string>> = {
  SourceAccount: 'StringEquals AWS:SourceAccount',
  SourceArn: 'ArnLike AWS:SourceArn',
};

/** Every statement of the template's roles, identity policies and Lambda permissions. */
export function policyStatements(template: Template): PolicyStatementInfo[] {
  const statements: PolicyStatementInfo[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const base = { logicalId, resourceType: resource.Type, path: String(resource.Metadata?.['aws:cdk:path'] ?? logicalId) };
    const add = (document: any, extra: Partial<StatementLocation> = {}) =>
      list(document?.Statement).forEach((statement: any, index) => statements.push({ ...base, ...extra, index, ...describe(template, statement) }));
    switch (resource.Type) {
      case 'AWS::IAM::Role':
        for (const policy of list(props.Policies)) add(policy.PolicyDocument, { inlinePolicy: policy.PolicyName });
        break;
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        add(props.PolicyDocument);
        break;
      case 'AWS::Lambda::Permission':
        statements.push({
          ...base,
          index: 0,
          actions: [props.Action],
          resources: [templateText(template, props.FunctionName)],
          conditions: Object.keys(PERMISSION_CONDITIONS).filter((name) => props[name] !== undefined).map((name) => PERMISSION_CONDITIONS[name]),
        });
        break;
      default:
        break;
    }
  }
  return statements;
}

/** Each statement, each action of a statement with several, and each condition key. */
export function policyElements(statements: readonly PolicyStatementInfo[]): PolicyElement[] {
  return statements.flatMap((statement): PolicyElement[] => [
    { kind: 'statement', statement },
    ...(statement.actions.length > 1 ? statement.actions.map((action) => ({ kind: 'action' as const, statement, action })) : []),
    ...statement.conditions.map((condition) => ({ kind: 'condition' as const, statement, condition })),
  ]);
}

/** A copy of the template without `element`. */
export function withoutElement(template: Template, element: PolicyElement): Template {
  const copy: Template = JSON.parse(JSON.stringify(template));
  const location = element.statement;
  const resource = copy.Resources[location.logicalId];
  if (resource.Type === 'AWS::Lambda::Permission') {
    if (element.kind === 'statement') removeResource(copy, location.logicalId);
    else if (element.kind === 'condition') delete resource.Properties[permissionProperty(element.condition)];
    return copy;
  }
  const document = location.inlinePolicy === undefined
    ? resource.Properties.PolicyDocument
    : list(resource.Properties.Policies).find((policy: any) => policy.PolicyName === location.inlinePolicy).PolicyDocument;
  const statements = list(document.Statement);
  const statement = statements[location.index];
  switch (element.kind) {
    case 'statement':
      statements.splice(location.index, 1);
      break;
    case 'action':
      statement.Action = list(statement.Action).filter((action: string) => action !== element.action);
      break;
    case 'condition': {
      const [operator, key] = element.condition.split(' ');
      delete statement.Condition[operator][key];
      if (Object.keys(statement.Condition[operator]).length === 0) delete statement.Condition[operator];
      if (Object.keys(statement.Condition).length === 0) delete statement.Condition;
      break;
    }
  }
  document.Statement = statements;
  return copy;
}

/** A copy of the template with `edit` applied to every statement (for targeted mutations in tests). */
export function withStatements(template: Template, edit: (statement: any, location: StatementLocation) => void): Template {
  const copy: Template = JSON.parse(JSON.stringify(template));
  for (const [logicalId, resource] of Object.entries(copy.Resources)) {
    const base = { logicalId, resourceType: resource.Type, path: String(resource.Metadata?.['aws:cdk:path'] ?? logicalId) };
    const documents: Array<{ document: any; inlinePolicy?: string }> = resource.Type === 'AWS::IAM::Role'
      ? list(resource.Properties?.Policies).map((policy: any) => ({ document: policy.PolicyDocument, inlinePolicy: policy.PolicyName }))
      : resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy' ? [{ document: resource.Properties.PolicyDocument }] : [];
    for (const { document, inlinePolicy } of documents) {
      list(document.Statement).forEach((statement: any, index) => edit(statement, { ...base, ...(inlinePolicy ? { inlinePolicy } : {}), index }));
    }
  }
  return copy;
}

/**
 * What a statement grants, whatever the stack: its construct part, actions and condition keys (not the resources,
 * which name the stack's own secrets, keys and functions). Two templates with the same shapes grant alike.
 */
export function statementShape(statement: PolicyStatementInfo): string {
  return `${pathInStack(statement.path)}: ${[...statement.actions].sort().join(', ')}${statement.conditions.length > 0 ? ` if ${[...statement.conditions].sort().join(', ')}` : ''}`;
}

/** How the report names an element: `secretsmanager:GetSecretValue`, a condition key, or the whole statement. */
export function elementLabel(element: PolicyElement): string {
  switch (element.kind) {
    case 'statement': return `statement (${element.statement.actions.join(', ')} on ${element.statement.resources.join(', ')})`;
    case 'action': return element.action;
    case 'condition': return `condition ${element.condition}`;
  }
}

/**
 * `Stack/GenericRotation/Policy/Resource` → `<strategy>Rotation/Policy`: the construct's part, the same in every
 * scenario and for every strategy's rotation function (one construct writes them all); likewise the check's
 * provider, whose id carries its poll interval when it is not the default (`RotationCheck5`).
 */
export function pathInStack(constructPath: string): string {
  return constructPath.split('/').slice(1).filter((part) => part !== 'Resource').join('/')
    .replace(/^[A-Za-z]+Rotation\d*(?=\/|$)/, '<strategy>Rotation')
    .replace(/^RotationCheck\d+(?=\/|$)/, 'RotationCheck');
}

/** A template value as text: Ref and Fn::GetAtt as `${<construct path>}` and `${<construct path>.Attribute}`. */
function templateText(template: Template, value: any): string {
  const named = (logicalId: string) => {
    const constructPath = template.Resources[logicalId]?.Metadata?.['aws:cdk:path'];
    return constructPath ? pathInStack(constructPath) : logicalId;
  };
  if (typeof value === 'string') return value;
  if (value?.Ref !== undefined) return `\${${named(value.Ref)}}`;
  if (value?.['Fn::GetAtt'] !== undefined) {
    const [logicalId, attribute] = list(value['Fn::GetAtt']);
    return `\${${named(logicalId)}.${attribute}}`;
  }
  if (value?.['Fn::Join'] !== undefined) return list(value['Fn::Join'][1]).map((part) => templateText(template, part)).join(value['Fn::Join'][0]);
  return JSON.stringify(value);
}

function describe(template: Template, statement: any): Pick<PolicyStatementInfo, 'actions' | 'resources' | 'conditions'> {
  const conditions = Object.entries(statement.Condition ?? {}).flatMap(([operator, keys]) => Object.keys(keys as object).map((key) => `${operator} ${key}`));
  return { actions: list(statement.Action), resources: list(statement.Resource).map((resource) => templateText(template, resource)), conditions };
}

function permissionProperty(condition: string): string {
  return Object.keys(PERMISSION_CONDITIONS).find((name) => PERMISSION_CONDITIONS[name] === condition)!;
}

/** Removes a resource and every DependsOn that names it. */
function removeResource(template: Template, logicalId: string): void {
  delete template.Resources[logicalId];
  for (const resource of Object.values(template.Resources)) {
    if (resource.DependsOn === undefined) continue;
    const remaining = list(resource.DependsOn).filter((name: string) => name !== logicalId);
    if (remaining.length > 0) resource.DependsOn = remaining;
    else delete resource.DependsOn;
  }
}

function list(value: unknown): any[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
