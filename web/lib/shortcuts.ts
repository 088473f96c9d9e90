// The keyboard shortcuts the help overlay (`?`) lists; the editor's own keys are handled in web/components/editor.

export interface Shortcut {
  keys: string[];
  action: string;
  /** How the keys combine: pressed together (default), either one, or one after the other. */
  join?: 'together' | 'either' | 'then';
}

export const SHORTCUT_GROUPS: { title: string; shortcuts: Shortcut[] }[] = [
  {
    title: 'Queries',
    shortcuts: [
      { keys: ['Mod', 'Enter'], action: 'Run the editor, or just the selection' },
      { keys: ['Shift', 'Mod', 'Enter'], action: 'Run the statement under the cursor' },
      { keys: ['Esc'], action: 'Cancel the running query (or Mod + .)' },
      { keys: ['Shift', 'Alt', 'F'], action: 'Format the SQL' },
      { keys: ['Mod', 'S'], action: 'Save the query (asks a name the first time)' },
    ],
  },
  {
    title: 'Editor tabs',
    shortcuts: [
      { keys: ['Alt', 'N'], action: 'New tab' },
      { keys: ['Alt', 'W'], action: 'Close the tab' },
      { keys: ['Alt', '[ ]'], action: 'Previous or next tab' },
      { keys: ['Alt', 'H'], action: 'Query history' },
    ],
  },
  {
    title: 'Sidebar',
    shortcuts: [
      { keys: ['Mod', 'Shift', 'E'], action: 'Focus the sidebar' },
      { keys: ['↑', '↓'], action: 'Move between sources and tables', join: 'either' },
      { keys: ['→', '←'], action: 'Expand or collapse', join: 'either' },
      { keys: ['P'], action: 'Preview the rows of the focused table' },
    ],
  },
  {
    title: 'Anywhere',
    shortcuts: [
      { keys: ['?'], action: 'Show this help' },
      { keys: ['G', 'Q'], action: 'Go to the query page', join: 'then' },
      { keys: ['G', 'S'], action: 'Go to the sources page', join: 'then' },
      { keys: ['G', 'M'], action: 'Go to the mutations page', join: 'then' },
      { keys: ['G', ','], action: 'Go to the settings', join: 'then' },
      {
        keys: ['←', '→'],
        action: 'Resize the sidebar from its focused splitter (↑ ↓ the editor; Shift: bigger steps)',
        join: 'either',
      },
    ],
  },
];

/** "Ctrl" or "⌘" for the Mod key, as the platform names it. */
export function modKey(platform = typeof navigator === 'undefined' ? '' : navigator.platform): string {
  return /mac|iphone|ipad/i.test(platform) ? '⌘' : 'Ctrl';
}

/** The page a `g`-prefixed key goes to. */
export const GO_KEYS: Record<string, 'query' | 'sources' | 'mutations' | 'settings'> = {
  q: 'query',
  s: 'sources',
  m: 'mutations',
  ',': 'settings',
};

/** True when a key press belongs to a text field, so single-key shortcuts must leave it alone. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
}
