/**
 * The least-privilege report: runs every scenario through the local deployer with IAM enforced, then takes each
 * statement, each action and each condition of the policies the constructs synthesized out of the template, one at
 * a time, and runs again the scenarios whose calls that part allowed (a statement or action is needed when one of
 * them then fails; a condition when a wrong caller of theirs then gets through). Writes docs/SECURITY.md.
 *
 * Run: npx projen least-privilege (bundles first, then writes docs/SECURITY.md).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ScenarioEnvironment } from './environment';
import { explanationFor } from './explanations';
import { elementLabel, pathInStack, PolicyElement, policyElements, PolicyStatementInfo, policyStatements, withoutElement } from './policy-elements';
import { runScenario, SCENARIO_CHECK_TIMEOUT_SECONDS, ScenarioOutcome, SynthesizedScenario, synthesizeScenario } from './run-scenario';
import { SCENARIOS } from './scenarios';
import type { IamDecision } from '../../simulator/iam';
import { loadEvaluator } from '../../simulator/iam/evaluator';

const SECURITY_FILE = path.join(__dirname, '..', '..', 'docs', 'SECURITY.md');

/** One row of the report: a part of a policy and what taking it out showed. */
interface Finding {
  readonly principal: string;
  readonly element: string;
  readonly verdict: 'needed' | 'denies wrong callers' | 'explained' | 'NOT SHOWN';
  readonly evidence: string;
}

/** A statement as the constructs write it, merged across the scenarios whose templates hold it. */
interface StatementUse {
  readonly statement: PolicyStatementInfo;
  /** Per scenario: the actions its baseline run was allowed through this statement. */
  readonly usedBy: Map<SynthesizedScenario, Set<string>>;
}

async function main(): Promise<void> {
  const write = process.argv.includes('--write');
  const started = Date.now();
  const evaluator = loadEvaluator();
  if ('unavailable' in evaluator) throw new Error(evaluator.unavailable);
  const environment = new ScenarioEnvironment();
  try {
    await report(environment, evaluator.evaluator.description, write);
  } finally {
    await environment.stop();
  }
  console.log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function report(environment: ScenarioEnvironment, evaluator: string, write: boolean): Promise<void> {
  const synthesized: SynthesizedScenario[] = [];
  const baselines = new Map<SynthesizedScenario, ScenarioOutcome>();
  for (const scenario of SCENARIOS) {
    const synth = await synthesizeScenario(scenario, environment);
    const outcome = await runScenario(synth);
    if (outcome.failure) throw new Error(`scenario ${scenario.name} fails with the constructs' own policies: ${outcome.failure}`);
    const denied = outcome.decisions.filter(isDenial);
    if (denied.length > 0) throw new Error(`scenario ${scenario.name}: the constructs' own policies deny ${denied.map((d) => `${d.action} to ${d.caller}`).join('; ')}`);
    if (outcome.allowedProbes.length > 0) throw new Error(`scenario ${scenario.name}: wrong callers get through the constructs' own policies: ${outcome.allowedProbes.join('; ')}`);
    synthesized.push(synth);
    baselines.set(synth, outcome);
    console.log(`baseline ${scenario.name}: passed, nothing denied, ${scenario.probes.length} wrong callers kept out`);
  }

  const uses = statementUses(synthesized, baselines);
  const findings: Finding[] = [];
  let runs = 0;
  for (const use of uses) {
    for (const element of policyElements([use.statement])) {
      const targets = targetsOf(use, element);
      let finding: Finding | undefined;
      for (const target of targets) {
        const local = elementIn(target, use.statement, element);
        if (!local) continue;
        runs++;
        const outcome = await runScenario(target, withoutElement(target.template, local));
        finding = judge(use, element, target, outcome);
        if (finding) break;
      }
      finding ??= unshown(use, element, targets);
      console.log(`${finding.verdict.padEnd(20)} ${finding.principal} ${finding.element}`);
      findings.push(finding);
    }
  }

  const markdown = render(findings, synthesized, { evaluator, runs });
  console.log(`\n${markdown}`);
  if (write) fs.writeFileSync(SECURITY_FILE, markdown);
  const unshownCount = findings.filter((finding) => finding.verdict === 'NOT SHOWN').length;
  if (unshownCount > 0) {
    console.error(`${unshownCount} granted part(s) neither shown needed nor explained`);
    process.exitCode = 1;
  }
}

/** The scenarios worth running without `element`: those whose calls it allowed (for a condition: those with wrong callers). */
function targetsOf(use: StatementUse, element: PolicyElement): SynthesizedScenario[] {
  return [...use.usedBy].filter(([synth, actions]) => {
    switch (element.kind) {
      case 'statement': return actions.size > 0;
      case 'action': return actions.has(element.action);
      case 'condition': return synth.scenario.probes.length > 0;
    }
  }).map(([synth]) => synth);
}

/**
 * A statement or action is needed when the scenario fails and IAM denied something on the way (the first denial
 * is the evidence: what failed, and who was refused); a condition when a wrong caller got through.
 */
function judge(use: StatementUse, element: PolicyElement, target: SynthesizedScenario, outcome: ScenarioOutcome): Finding | undefined {
  const base = { principal: principalOf(use.statement), element: elementLabel(element) };
  if (element.kind === 'condition') {
    if (outcome.allowedProbes.length === 0) return undefined;
    return { ...base, verdict: 'denies wrong callers', evidence: `${target.scenario.name}: without it, ${outcome.allowedProbes.join('; ')} got through` };
  }
  const denial = outcome.decisions.find(isDenial);
  if (!outcome.failure || !denial) return undefined;
  return { ...base, verdict: 'needed', evidence: `${target.scenario.name} fails: ${denial.action} denied to ${callerName(target, outcome, denial)}` };
}

function isDenial(decision: IamDecision): boolean {
  return decision.decision === 'ImplicitlyDenied' || decision.decision === 'ExplicitlyDenied';
}

/** The caller as the report names principals: a role by its construct path, a service by its name. */
function callerName(target: SynthesizedScenario, outcome: ScenarioOutcome, decision: IamDecision): string {
  if (decision.identity === undefined) return decision.caller;
  const roleName = decision.identity.split('/').pop();
  const logicalId = Object.keys(outcome.physicalIds).find((id) => outcome.physicalIds[id] === roleName);
  const constructPath = logicalId && target.template.Resources[logicalId].Metadata?.['aws:cdk:path'];
  return constructPath ? pathInStack(constructPath) : decision.identity;
}

function unshown(use: StatementUse, element: PolicyElement, targets: readonly SynthesizedScenario[]): Finding {
  const base = { principal: principalOf(use.statement), element: elementLabel(element) };
  const explanation = explanationFor(use.statement, element);
  if (explanation) return { ...base, verdict: 'explained', evidence: explanation };
  const tried = targets.length > 0 ? `ran ${targets.map((t) => t.scenario.name).join(', ')} without it: no failure, no wrong caller let in` : 'no scenario uses it';
  return { ...base, verdict: 'NOT SHOWN', evidence: tried };
}

/**
 * Which statements the baseline runs used: each allowed decision names its granting statements
 * (`<policy name>#<statement number or Sid>`), matched here to the template's statements.
 */
function statementUses(synthesized: readonly SynthesizedScenario[], baselines: ReadonlyMap<SynthesizedScenario, ScenarioOutcome>): StatementUse[] {
  const uses = new Map<string, StatementUse>();
  for (const synth of synthesized) {
    const outcome = baselines.get(synth)!;
    for (const statement of policyStatements(synth.template)) {
      const key = statementKey(statement);
      const known = uses.get(key);
      // The statement with the most conditions stands for all (a permission names its secret only when it has one).
      const use = known && known.statement.conditions.length >= statement.conditions.length
        ? known
        : { statement, usedBy: known?.usedBy ?? new Map() };
      uses.set(key, use);
      const grants = new Set(grantsOf(synth, statement, outcome));
      const actions = new Set<string>();
      for (const decision of outcome.decisions) {
        if (decision.decision === 'Allowed' && decision.grants.some((grant) => grants.has(grant))) actions.add(decision.action);
      }
      use.usedBy.set(synth, actions);
    }
  }
  return [...uses.values()];
}

/** How the decision log names `statement` as a grant, as deployed: `<policy name>#<number>`, or a permission's Sid. */
function grantsOf(synth: SynthesizedScenario, statement: PolicyStatementInfo, outcome: ScenarioOutcome): string[] {
  const physical = outcome.physicalIds[statement.logicalId] ?? '';
  const numbered = (name: string) => [`${name}#${statement.index + 1}`];
  switch (statement.resourceType) {
    case 'AWS::IAM::Role': return numbered(statement.inlinePolicy!);
    case 'AWS::IAM::Policy': return numbered(synth.template.Resources[statement.logicalId].Properties.PolicyName);
    case 'AWS::IAM::ManagedPolicy': return numbered(physical.split('/').pop()!);
    case 'AWS::Lambda::Permission': return [`resource policy#${physical}`];
    default: return [];
  }
}

/** The same statement in another scenario's template: same construct path, policy, actions and resources. */
function statementKey(statement: PolicyStatementInfo): string {
  return JSON.stringify([pathInStack(statement.path), statement.inlinePolicy ?? '', statement.actions, statement.resources]);
}

/** `element` of the target's own copy of the statement; undefined when that copy lacks the condition. */
function elementIn(target: SynthesizedScenario, statement: PolicyStatementInfo, element: PolicyElement): PolicyElement | undefined {
  const local = policyStatements(target.template).find((candidate) => statementKey(candidate) === statementKey(statement))!;
  if (element.kind === 'condition' && !local.conditions.includes(element.condition)) return undefined;
  return { ...element, statement: local };
}

function principalOf(statement: PolicyStatementInfo): string {
  const where = pathInStack(statement.path);
  return statement.inlinePolicy ? `${where} (inline ${statement.inlinePolicy})` : where;
}

function render(findings: readonly Finding[], synthesized: readonly SynthesizedScenario[], run: { evaluator: string; runs: number }): string {
  const escape = (text: string) => text.replace(/\|/g, '\\|');
  const counts = (verdict: Finding['verdict']) => findings.filter((finding) => finding.verdict === verdict).length;
  return [
    '# Security: least privilege, shown by enforcement',
    '',
    '<!-- Generated by bench/least-privilege/report.ts; do not edit. Regenerate: npx projen least-privilege -->',
    '',
    'Every statement, action and condition of the IAM policies the constructs synthesize, taken out one at a time,',
    'with what that did. The scenarios deploy through the local CloudFormation deployer onto the simulator, which',
    `authorizes every call as AWS would (${run.evaluator}; how, and with which gaps: simulator/README.md, "IAM`,
    'enforcement"). A statement or action is **needed** when a scenario that used it fails without it (the evidence',
    'is the first call IAM then denied); a condition **denies wrong callers** when, without it, a wrong caller of a',
    'scenario gets through. What no scenario can show is **explained**. Each part is tried only on the scenarios whose',
    'calls it allowed (for a condition: the scenarios with wrong callers), in the order below, until one shows it.',
    `The scenarios' checks wait at most ${SCENARIO_CHECK_TIMEOUT_SECONDS} s for a rotation (their template's TimeoutSeconds), so that a run whose`,
    'rotation function cannot write its logs fails in seconds.',
    '',
    `Summary: ${findings.length} parts; ${counts('needed')} needed, ${counts('denies wrong callers')} conditions denying wrong callers, `
      + `${counts('explained')} explained, ${counts('NOT SHOWN')} not shown; ${run.runs} targeted runs besides the ${synthesized.length} baselines.`,
    '',
    '## Scenarios',
    '',
    'Each passes with the constructs\' own policies, with nothing denied, and every wrong caller kept out.',
    '',
    '| scenario | what it deploys and checks | wrong callers |',
    '|---|---|---|',
    ...synthesized.map((synth) => `| ${synth.scenario.name} | ${escape(synth.scenario.summary)} | ${
      synth.scenario.probes.map((probe) => escape(probe.wrongCaller)).join('; ') || '-'} |`),
    '',
    '## Policy parts',
    '',
    '| principal (construct path) | part | verdict | evidence |',
    '|---|---|---|---|',
    ...findings.map((finding) => `| ${escape(finding.principal)} | ${escape(finding.element)} | ${finding.verdict} | ${escape(finding.evidence)} |`),
    '',
  ].join('\n');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
