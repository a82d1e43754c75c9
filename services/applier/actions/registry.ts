// The action kinds the applier runs: one explicit list, one module per kind.
import { Type } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import type { PlanDocument } from '../../../core/plan/format.js';
import { issuesOf, type Issue } from '../../../core/validation.js';
import type { ActionKind } from './kind.js';
import { abortMigration } from './abort-migration/index.js';
import { disableCompute } from './disable-compute/index.js';
import { enableCompute } from './enable-compute/index.js';
import { liveMigrate } from './live-migrate/index.js';
import { powerOff } from './power-off/index.js';
import { powerOn } from './power-on/index.js';

export const ACTION_KINDS: readonly ActionKind[] = [liveMigrate, disableCompute, powerOff, powerOn, enableCompute, abortMigration];

/** The kind of an action type; an unknown type is an error the plan's journal cannot hold. */
export function actionKindOf(type: string): ActionKind {
  const kind = ACTION_KINDS.find((candidate) => candidate.type === type);
  if (!kind) throw new Error(`unknown action type "${type}": known are ${ACTION_KINDS.map((candidate) => candidate.type).join(', ')}`);
  return kind;
}

const compiledParameters = new Map(ACTION_KINDS.map((kind) => [kind.type, TypeCompiler.Compile(Type.Object(kind.parameters.properties))]));

/** Each action of a plan against its kind's parameters' schema: what is wrong, by path. */
export function actionIssues(document: PlanDocument): Issue[] {
  return document.actions.flatMap((action, index) => {
    const compiled = compiledParameters.get(action.type);
    if (!compiled) return [{ path: `actions[${index}].type`, message: `"${action.type}" is not an action kind; use one of ${ACTION_KINDS.map((kind) => kind.type).join(', ')}` }];
    return issuesOf(compiled, action, `actions[${index}]`);
  });
}
