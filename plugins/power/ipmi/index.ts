// Power driver "ipmi": each host's BMC through Debian's ipmitool (chassis power off|on|status).
import { Type, type Static } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import {
  requirePowerOffConfirmation, type PowerDriver, type PowerDriverContext, type PowerDriverPlugin, type PowerFailure, type PowerHost, type PowerOffConfirmation,
  type PowerOperation, type PowerOutcome, type PowerState,
} from '../../../core/power.js';
import { ValidationError } from '../../../core/validation.js';
import {
  HostTemplate, checkHostName, cleanCause, compileHostSettings, contextOf, expandTemplate, failure, hostSettings, redact, resolveWaiting, validateOptions,
  waitForPowerState, waitTimedOut, waitingOptions, withRetries,
} from '../common.js';
import {
  classifyIpmitoolFailure, ipmitoolArguments, ipmitoolEnvironment, ipmitoolMessage, parsePowerStatus, runIpmitool, type BmcAccess, type ChassisPowerCommand, type IpmitoolRun,
} from './ipmitool.js';

export const name = 'ipmi';

// An address or user name that starts with "-" could be read by ipmitool as an option.
const Address = Type.String({ minLength: 1, pattern: '^[^-\\s][^\\s]*$', expected: 'a host name or IP address, e.g. "cmp-01-bmc.example.org"' });
const Port = Type.Integer({ minimum: 1, maximum: 65535, description: 'UDP port of the BMC (default 623)' });
const Username = Type.String({ minLength: 1, pattern: '^[^-]', expected: 'a non-empty user name not starting with "-"', description: 'IPMI user' });
const Password = Type.String({ minLength: 1, description: 'IPMI password; given to ipmitool through its environment, never on its command line, never logged' });

export const hostSettingsSchema = Type.Object({
  address: Type.Optional(Address),
  port: Type.Optional(Port),
  username: Type.Optional(Username),
  password: Type.Optional(Password),
}, { additionalProperties: false });
export type IpmiHostSettings = Static<typeof hostSettingsSchema>;

export const optionsSchema = Type.Object({
  address_template: Type.Optional(HostTemplate('BMC address of a host, {host} replaced by its name', '{host}-bmc.example.org')),
  hosts: Type.Optional(Type.Record(Type.String({ minLength: 1 }), hostSettingsSchema, {
    description: 'per-host settings by Nova host name, e.g. {"cmp-01": {"address": "10.0.0.11"}}; they win over address_template',
  })),
  port: Type.Optional(Port),
  username: Username,
  password: Password,
  interface: Type.Optional(Type.Union([Type.Literal('lanplus'), Type.Literal('lan')], { description: 'ipmitool -I: lanplus (IPMI 2.0, default) or lan (1.5)' })),
  privilege_level: Type.Optional(Type.Union([Type.Literal('OPERATOR'), Type.Literal('ADMINISTRATOR')], {
    description: 'ipmitool -L: OPERATOR suffices for chassis power (default: ipmitool\'s, ADMINISTRATOR)',
  })),
  cipher_suite: Type.Optional(Type.Integer({ minimum: 0, maximum: 17, description: 'ipmitool -C for lanplus (default: ipmitool\'s)' })),
  power_off_command: Type.Optional(Type.Union([Type.Literal('off'), Type.Literal('soft')], {
    description: 'off: cut the power at once (default); soft: ACPI shutdown, the operating system stops cleanly first',
  })),
  ipmitool: Type.Optional(Type.String({ minLength: 1, description: 'the ipmitool command, found in PATH (default "ipmitool")' })),
  timeout_seconds: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'one ipmitool run is stopped after this long (default 30)' })),
  ...waitingOptions,
}, { additionalProperties: false });
export type IpmiOptions = Static<typeof optionsSchema>;

const compiledOptions = TypeCompiler.Compile(optionsSchema);
const compiledHostSettings = compileHostSettings(hostSettingsSchema);

function validate(options: unknown): IpmiOptions {
  const valid = validateOptions<IpmiOptions>(name, compiledOptions, options);
  if (!valid.address_template && !Object.values(valid.hosts ?? {}).some((host) => host.address)) {
    throw new ValidationError(`invalid options of power driver ${name}`, [{
      path: 'power.ipmi.address_template',
      message: 'is required unless hosts gives each host an address: give the BMC address of a host, e.g. "{host}-bmc.example.org"',
    }]);
  }
  return valid;
}

export function createDriver(rawOptions: unknown, context?: PowerDriverContext): PowerDriver {
  const options = validate(rawOptions);
  const { logger, clock } = contextOf(context);
  const waiting = resolveWaiting(options);
  const command = options.ipmitool ?? 'ipmitool';
  const timeoutMilliseconds = (options.timeout_seconds ?? 30) * 1000;

  function bmcOf(host: PowerHost, operation: PowerOperation): BmcAccess {
    checkHostName(name, operation, host);
    const settings = hostSettings<IpmiHostSettings>(name, operation, host, options.hosts, compiledHostSettings);
    const address = settings.address ?? (options.address_template ? expandTemplate(options.address_template, host.name) : undefined);
    if (!address) {
      throw failure(name, host.name, operation, 'configuration', `no BMC address: set power.ipmi.hosts.${host.name}.address or power.ipmi.address_template`);
    }
    return {
      address,
      port: settings.port ?? options.port ?? 623,
      username: settings.username ?? options.username,
      password: settings.password ?? options.password,
      interface: options.interface ?? 'lanplus',
      ...(options.privilege_level ? { privilegeLevel: options.privilege_level } : {}),
      ...(options.cipher_suite !== undefined ? { cipherSuite: options.cipher_suite } : {}),
    };
  }

  function failureReason(kind: PowerFailure, run: IpmitoolRun, where: string, bmc: BmcAccess, said: string): string {
    const startError = run.startError;
    switch (kind) {
      case 'timeout':
        return `the BMC at ${where} did not answer ${run.timedOut ? `within ${timeoutMilliseconds / 1000} s (ipmitool stopped)` : `(${said})`}; `
          + 'check the address, the port and that the BMC is reachable from this host';
      case 'unreachable':
        return `cannot reach the BMC at ${where}: ${said}`;
      case 'authentication':
        return `the BMC at ${where} refused user "${bmc.username}" (${said}); check power.ipmi username and password${bmc.privilegeLevel ? ' and privilege_level' : ''}`;
      case 'configuration':
        return startError?.code === 'ENOENT'
          ? `"${command}" was not found: install Debian's ipmitool (apt-get install ipmitool) or set power.ipmi.ipmitool`
          : `cannot run "${command}": ${startError?.message ?? said}`;
      default:
        return `the BMC at ${where} answered with an error: ${said}`;
    }
  }

  /** One ipmitool run, retried when the BMC did not answer; throws a PowerError on failure. */
  async function chassisPower(host: PowerHost, bmc: BmcAccess, operation: PowerOperation, chassisCommand: ChassisPowerCommand): Promise<string> {
    const where = `${bmc.address}:${bmc.port}`;
    return withRetries(async () => {
      const started = clock.now();
      const run = await runIpmitool(command, ipmitoolArguments(bmc, chassisCommand), ipmitoolEnvironment(bmc.password, process.env.PATH), timeoutMilliseconds);
      logger.debug({ driver: name, host: host.name, bmc: where, command: `chassis power ${chassisCommand}`, exitCode: run.exitCode, timedOut: run.timedOut, milliseconds: clock.now() - started }, 'ipmitool ran');
      if (run.exitCode === 0 && !run.timedOut) return run.stdout;
      const kind = classifyIpmitoolFailure(run);
      const said = redact(ipmitoolMessage(run), [bmc.password]);
      const reason = failureReason(kind, run, where, bmc, said);
      throw failure(name, host.name, operation, kind, reason, cleanCause(said || `ipmitool exited with ${run.exitCode}`, [bmc.password]));
    }, waiting.retries, waiting.retryDelayMilliseconds, clock, (error, attempt) => {
      logger.warn({ driver: name, host: host.name, bmc: where, attempt, failure: error.failure }, 'ipmitool failed; trying again');
    });
  }

  async function readState(host: PowerHost, bmc: BmcAccess, operation: PowerOperation): Promise<PowerState> {
    return parsePowerStatus(await chassisPower(host, bmc, operation, 'status'));
  }

  return {
    name,
    controlsPower: true,
    async powerOff(host: PowerHost, confirmation: PowerOffConfirmation): Promise<PowerOutcome> {
      requirePowerOffConfirmation(name, host, confirmation);
      const bmc = bmcOf(host, 'power off');
      if (await readState(host, bmc, 'power off') === 'off') return { host: host.name, state: 'off', changed: false };
      const powerOffCommand = options.power_off_command ?? 'off';
      logger.info({ driver: name, host: host.name, bmc: bmc.address, command: `chassis power ${powerOffCommand}` }, 'powering host off');
      await chassisPower(host, bmc, 'power off', powerOffCommand);
      const wait = await waitForPowerState(() => readState(host, bmc, 'power off'), 'off', waiting.powerOffTimeoutMilliseconds, waiting.pollIntervalMilliseconds, clock);
      if (!wait.reached) {
        throw waitTimedOut(name, host.name, 'power off', 'off', wait.last, waiting.powerOffTimeoutMilliseconds,
          powerOffCommand === 'soft' ? 'the operating system did not shut down: look at the host\'s console, or raise power_off_timeout_seconds' : 'look at the BMC');
      }
      logger.info({ driver: name, host: host.name, seconds: wait.waitedMilliseconds / 1000 }, 'host powered off');
      return { host: host.name, state: 'off', changed: true };
    },
    async powerOn(host: PowerHost): Promise<PowerOutcome> {
      const bmc = bmcOf(host, 'power on');
      if (await readState(host, bmc, 'power on') === 'on') return { host: host.name, state: 'on', changed: false };
      logger.info({ driver: name, host: host.name, bmc: bmc.address, command: 'chassis power on' }, 'powering host on');
      await chassisPower(host, bmc, 'power on', 'on');
      const wait = await waitForPowerState(() => readState(host, bmc, 'power on'), 'on', waiting.powerOnTimeoutMilliseconds, waiting.pollIntervalMilliseconds, clock);
      if (!wait.reached) {
        throw waitTimedOut(name, host.name, 'power on', 'on', wait.last, waiting.powerOnTimeoutMilliseconds, 'look at the BMC, or raise power_on_timeout_seconds');
      }
      logger.info({ driver: name, host: host.name, seconds: wait.waitedMilliseconds / 1000 }, 'host powered on');
      return { host: host.name, state: 'on', changed: true };
    },
    async powerState(host: PowerHost): Promise<PowerState> {
      const bmc = bmcOf(host, 'power state');
      return readState(host, bmc, 'power state');
    },
  };
}

export const plugin: PowerDriverPlugin = {
  name,
  description: 'ipmitool to each host\'s BMC',
  optionsSchema,
  hostSettingsSchema,
  create: createDriver,
};
