// What a started feature of a ulm process is (features.ts starts them): its own module, so that
// the features can name it without importing the list that starts them.

// In start order: the applier consumes the start queue before the API or the scheduler can ask
// for a start (a start no applier takes is refused); stopped in reverse, the applier last.
export const FEATURE_NAMES = ['applier', 'api', 'scheduler', 'monitor', 'listener'] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

export interface RunningFeature {
  name: FeatureName;
  /** One line for the operator: what it does and where. */
  description: string;
  stop(): Promise<void>;
  /** The API's port (when bound to port 0, the one the system chose). */
  port?: number;
}
