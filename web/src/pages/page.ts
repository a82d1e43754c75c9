// What a page of the panel is: its element, and what to stop (polling, observers) when the user
// leaves it.

export interface Page {
  element: HTMLElement;
  dispose?: () => void;
}

export interface PageContext {
  /** Path parameters: the action plan's id. */
  params: Record<string, string>;
  /** The query part of the route (`#/action_plans?state=ONGOING`). */
  query: URLSearchParams;
  /** Goes to another page of the panel (`/action_plans/ID`). */
  navigate(path: string): void;
}
