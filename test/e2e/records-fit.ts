// Compile-time only (tsc -p tsconfig.json): the records the engine answers still fit the shapes
// the panel reads (web/src/api/records.ts declares its own, as it talks to the API over HTTP).
// A field renamed or retyped in services/engine/types.ts breaks this file, not the browser.
import type { LoginSession } from '../../services/api/auth/keystone-login.js';
import type * as Engine from '../../services/engine/types.js';
import type * as Panel from '../../web/src/api/records.js';

type Fits<Answered, Read> = [Answered] extends [Read] ? true : false;
type Expect<T extends true> = T;

export type EngineRecordsFitThePanel = [
  Expect<Fits<Engine.HostView, Panel.HostView>>,
  Expect<Fits<Engine.ServerView, Panel.ServerView>>,
  Expect<Fits<Engine.ExemptionView, Panel.ExemptionView>>,
  Expect<Fits<Engine.PolicyView, Panel.PolicyView>>,
  Expect<Fits<Engine.WindowView, Panel.WindowView>>,
  Expect<Fits<Engine.ActionPlanView, Panel.ActionPlanView>>,
  Expect<Fits<Engine.ActionView, Panel.ActionView>>,
  Expect<Fits<Engine.HostPicture, Panel.HostPicture>>,
  Expect<Fits<Engine.AuditView, Panel.AuditView>>,
  Expect<Fits<Engine.SavingsView, Panel.SavingsView>>,
  Expect<Fits<Engine.StatusView, Panel.StatusView>>,
  Expect<Fits<Engine.MaintenanceView, Panel.MaintenanceView>>,
  Expect<Fits<{ audit: Engine.AuditView; action_plan: Engine.ActionPlanView | null }, Panel.AuditAndPlan>>,
  Expect<Fits<LoginSession, Panel.LoginSession>>,
];
