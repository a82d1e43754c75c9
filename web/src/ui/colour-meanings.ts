// The names of the panel's colour meanings, each a `--colour-NAME` property of panel.css (no DOM
// here: the unit tests check the style sheet against this list).

export const COLOUR_MEANINGS = [
  'active', 'empty', 'under-way', 'maintenance', 'powered-off', 'disabled', 'failed',
  'server', 'exempt', 'never-move', 'moved', 'temporary', 'changed-host',
  'level-low', 'level-medium', 'level-high', 'window', 'scheduled-maintenance',
  'waiting', 'approved', 'pending',
] as const;

export type ColourMeaning = (typeof COLOUR_MEANINGS)[number];
