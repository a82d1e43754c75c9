// Building DOM nodes from code, text always as text: nothing the API answers is ever parsed as
// HTML, so a server or host name cannot inject markup into the panel.

type Child = Node | string | number | null | undefined | false;

export interface Properties {
  className?: string;
  id?: string;
  text?: string;
  /** ARIA, data-* and other attributes, set as they are. */
  attributes?: Record<string, string | number | boolean | null | undefined>;
  /** Event listeners by event name. */
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
}

/** `element('button', { className: 'btn', on: { click } }, 'Save')`. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, properties: Properties = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (properties.className) node.className = properties.className;
  if (properties.id) node.id = properties.id;
  if (properties.text !== undefined) node.textContent = properties.text;
  setAttributes(node, properties.attributes ?? {});
  for (const [name, listener] of Object.entries(properties.on ?? {})) {
    node.addEventListener(name, listener as EventListener);
  }
  append(node, ...children);
  return node;
}

export function setAttributes(node: Element, attributes: Record<string, string | number | boolean | null | undefined>): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) node.removeAttribute(name);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces a node's children. */
export function replaceChildren(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, ...children);
}

const SVG_NAMESPACE = 'http://www.w3.org/2000/svg';

export function svgElement<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number> = {}, ...children: Array<SVGElement | string>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NAMESPACE, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  for (const child of children) node.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
  return node;
}

let nextId = 0;

/** A document-unique id for label/aria wiring. */
export function uniqueId(prefix: string): string {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

/** Calls `run` at most once per `waitMs`, with the latest arguments (filter boxes). */
export function debounce<Args extends unknown[]>(run: (...args: Args) => void, waitMs: number): (...args: Args) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (...args: Args) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => { timer = undefined; run(...args); }, waitMs);
  };
}
