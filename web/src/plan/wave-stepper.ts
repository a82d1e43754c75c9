// The wave stepper of a plan's page: a slider (0 before the plan, k after wave k) and a play
// button redraw one host map with the placement after the chosen wave; the servers that wave
// moved and the temporary moves (servers waiting on a host that is not their last) are marked,
// on the map, in its legend and in the text beside it.

import { element, replaceChildren } from '../dom.js';
import { legend, swatch } from '../ui/colours.js';
import { HostMap, type MapHost, type ServerTone } from '../ui/host-map.js';
import type { WaveStep } from './wave-steps.js';

/** How long each wave stays on screen while playing. */
const PLAY_STEP_MS = 1_400;

function stepTitle(step: number, waves: number): string {
  return step === 0 ? 'Before the plan' : `After wave ${step} of ${waves}`;
}

function mapHosts(step: WaveStep): MapHost[] {
  const temporary = new Map(step.temporary.map((move) => [move.server, move]));
  return step.hosts.map((host) => ({
    name: host.host,
    state: host.state,
    detail: null,
    changed: host.changed,
    servers: host.servers.map((server) => {
      const waiting = temporary.get(server.name);
      const tone: ServerTone = server.temporary ? 'temporary' : server.moved ? 'moved' : 'normal';
      const note = waiting ? `${server.name}: temporary move, waits here and moves on to ${waiting.destination} in wave ${waiting.movesAgainInWave}` : server.moved ? `${server.name}: moved here by this wave` : undefined;
      return { name: server.name, tone, ...(note ? { note } : {}) };
    }),
    vcpu_allocation: host.load?.vcpu_allocation ?? null,
    memory_allocation: host.load?.memory_allocation ?? null,
    cpu_usage: host.load?.cpu_usage ?? null,
    memory_usage: host.load?.memory_usage ?? null,
  }));
}

export class WaveStepper {
  readonly element: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly play: HTMLButtonElement;
  private readonly title: HTMLOutputElement;
  private readonly summary: HTMLElement;
  private readonly map: HostMap;
  private steps: WaveStep[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.slider = element('input', { id: 'wave-slider', className: 'wave-slider', attributes: { type: 'range', min: 0, max: 0, step: 1, value: 0 } });
    this.title = element('output', { className: 'wave-step-title', attributes: { for: 'wave-slider' } });
    this.play = element('button', { className: 'btn btn-default wave-play', attributes: { type: 'button', 'aria-label': 'Play the waves', 'aria-pressed': 'false' } }, '▶ Play');
    this.summary = element('div', { className: 'wave-step-summary', attributes: { 'aria-live': 'polite' } });
    this.map = new HostMap({ label: 'Hosts after the chosen wave', maxViewportFraction: 0.5 });
    this.element = element('section', { className: 'panel wave-stepper', attributes: { 'aria-labelledby': 'wave-stepper-heading', 'data-wave': 0 } },
      element('div', { className: 'panel-heading' }, element('h2', { id: 'wave-stepper-heading', text: 'Wave by wave' })),
      element('div', { className: 'panel-body' },
        element('div', { className: 'wave-controls' },
          this.play,
          element('label', { className: 'wave-slider-label', attributes: { for: 'wave-slider' }, text: 'Wave' }),
          this.slider,
          this.title),
        legend('Servers on the map', [['server', 'stays'], ['moved', 'moved by this wave'], ['temporary', 'temporary move (moves again later)'], ['changed-host', 'host the plan changes', 'frame']]),
        this.summary,
        this.map.element));
    // Arrow keys, Home and End move the slider natively; each change draws its wave.
    this.slider.addEventListener('input', () => { this.pause(); this.show(Number(this.slider.value)); });
    this.play.addEventListener('click', () => (this.timer === undefined ? this.start() : this.pause()));
  }

  /** New steps (the plan's actions changed state): the chosen wave stays when it still exists. */
  setSteps(steps: WaveStep[]): void {
    this.steps = steps;
    const last = Math.max(0, steps.length - 1);
    this.slider.max = String(last);
    this.slider.disabled = last === 0;
    this.play.disabled = last === 0;
    this.show(Math.min(Number(this.slider.value), last));
  }

  setFilter(predicate: ((host: MapHost) => boolean) | null): void {
    this.map.setFilter(predicate);
  }

  dispose(): void {
    this.pause();
    this.map.dispose();
  }

  private start(): void {
    // From the end, play starts again from before the plan.
    if (Number(this.slider.value) >= this.steps.length - 1) this.show(0);
    // A toggle keeps its name; aria-pressed says whether it is playing.
    this.play.setAttribute('aria-pressed', 'true');
    replaceChildren(this.play, '❚❚ Pause');
    this.tick();
  }

  private tick(): void {
    this.timer = setTimeout(() => {
      const next = Number(this.slider.value) + 1;
      if (next >= this.steps.length) {
        this.pause();
        return;
      }
      this.show(next);
      if (next >= this.steps.length - 1) this.pause();
      else this.tick();
    }, PLAY_STEP_MS);
  }

  private pause(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.play.setAttribute('aria-pressed', 'false');
    replaceChildren(this.play, '▶ Play');
  }

  private show(index: number): void {
    const step = this.steps[index];
    if (!step) return;
    const waves = this.steps.length - 1;
    const title = stepTitle(index, waves);
    this.slider.value = String(index);
    this.slider.setAttribute('aria-valuetext', title);
    this.title.value = title;
    this.element.setAttribute('data-wave', String(index));
    this.element.setAttribute('data-temporary', String(step.temporary.length));
    const moved = step.moved.length;
    replaceChildren(this.summary,
      element('p', { className: 'wave-step-moves', text: index === 0 ? 'Where the servers are before the plan.' : `${moved} server${moved === 1 ? '' : 's'} live-migrated by wave ${index}${moved ? `: ${step.moved.join(', ')}` : ''}.` }),
      step.temporary.length
        ? element('ul', { className: 'temporary-moves', attributes: { 'aria-label': 'Temporary moves' } }, ...step.temporary.map((move) => element('li', {
          className: 'temporary-move',
          attributes: { title: `Temporary move: ${move.server} waits on ${move.host} and moves on to ${move.destination} in wave ${move.movesAgainInWave}` },
        }, swatch('temporary'), ` Temporary move: ${move.server} waits on ${move.host}, moves on to ${move.destination} in wave ${move.movesAgainInWave}`)))
        : '');
    this.map.setHosts(mapHosts(step), `wave-${index}`);
  }
}
