// The life cycle of a scheduled maintenance of hosts, with every allowed transition written
// down. A state never claims more than happened: IN_MAINTENANCE means the hosts are empty and
// disabled (and powered off when that was asked), DONE means they are back in service.

export const MAINTENANCE_STATES = [
  'SCHEDULED', // waiting for its drain to start (early enough to be done by `at`)
  'DRAINING', // the drain plan runs: servers move away, then the hosts are disabled
  'DRAINED', // empty and disabled; waiting for `at` to power the hosts off (power_off only)
  'POWERING_OFF', // the power-off plan runs
  'IN_MAINTENANCE', // empty and disabled, powered off if asked: the hosts are the operator's
  'RESTORING', // `until` came (or the maintenance was ended early): the restore plan runs
  'DONE', // the hosts are back in service
  'FAILED', // a step failed; failure_reason says which and what state the hosts were left in
  'CANCELLED', // cancelled before the hosts left service
] as const;
export type MaintenanceState = (typeof MAINTENANCE_STATES)[number];

const MAINTENANCE_TRANSITIONS: Record<MaintenanceState, readonly MaintenanceState[]> = {
  SCHEDULED: ['DRAINING', 'CANCELLED', 'FAILED'],
  // Without power-off the drained hosts are in maintenance at once; a cancelled drain leaves
  // the hosts enabled (the disabling is its last wave).
  DRAINING: ['DRAINED', 'IN_MAINTENANCE', 'FAILED', 'CANCELLED'],
  // Ended before `at` (cancelled, or `until` passed while waiting): no power-off, restore.
  DRAINED: ['POWERING_OFF', 'RESTORING', 'FAILED'],
  POWERING_OFF: ['IN_MAINTENANCE', 'FAILED'],
  // DONE straight away when an operator brought the hosts back by hand (ulm host undrain).
  IN_MAINTENANCE: ['RESTORING', 'DONE'],
  RESTORING: ['DONE', 'FAILED'],
  DONE: [],
  FAILED: [],
  CANCELLED: [],
};

export function canTransitionMaintenance(from: MaintenanceState, to: MaintenanceState): boolean {
  return MAINTENANCE_TRANSITIONS[from].includes(to);
}

export function isFinalMaintenanceState(state: MaintenanceState): boolean {
  return MAINTENANCE_TRANSITIONS[state].length === 0;
}

/** States in which a maintenance still holds (or will hold) its hosts. */
export const ACTIVE_MAINTENANCE_STATES: readonly MaintenanceState[] = MAINTENANCE_STATES.filter((state) => !isFinalMaintenanceState(state));

/** What cancelling does in each state: nothing happened yet, stop the drain, or end it now. */
export type CancelEffect = 'cancel' | 'stop_drain' | 'restore_now' | 'refused';

export function cancelEffectOf(state: MaintenanceState): CancelEffect {
  switch (state) {
    case 'SCHEDULED': return 'cancel';
    case 'DRAINING': return 'stop_drain';
    case 'DRAINED':
    case 'IN_MAINTENANCE': return 'restore_now';
    default: return 'refused';
  }
}
