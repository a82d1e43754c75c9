// What repositories throw: a record that does not exist, a name already taken, a host ulm did
// not disable, and life-cycle conflicts (core's StateConflict, HTTP 409 at the API).
import { StateConflict } from '../../core/plan/states.js';

export { StateConflict };

export class NotFound extends Error {
  constructor(readonly kind: string, readonly id: string) {
    super(`${kind} ${id} not found`);
    this.name = 'NotFound';
  }
}

export class AlreadyExists extends Error {
  constructor(kind: string, field: string, value: string) {
    super(`a ${kind} with ${field} "${value}" already exists; choose another ${field}`);
    this.name = 'AlreadyExists';
  }
}

/** ulm never enables, or powers on, a host it did not disable or power off itself. */
export class HostNotHeld extends Error {
  constructor(host: string, what: string) {
    super(`host ${host} was not ${what} by ulm, and ulm never undoes what it did not do; if the host should come back, do it in Nova (openstack compute service set --enable)`);
    this.name = 'HostNotHeld';
  }
}

/**
 * An audit state change its life cycle does not allow. A StateConflict, so the API answers 409
 * for it as for plans and actions; core's StateConflict names only those two kinds.
 */
export class AuditStateConflict extends StateConflict {
  constructor(from: string, to: string) {
    super('action plan', from, to);
    this.message = `audit is ${from}; it cannot become ${to}`;
  }
}
