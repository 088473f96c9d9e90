// The editor's look in the app's colours: CodeMirror chrome and SQL highlighting that follow the light/dark theme.
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import type { Extension } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import { tags as t } from '@lezer/highlight';

/** Chrome (cursor, selection, tooltips) from the CSS variables, so it follows `color-scheme` like the rest. */
const chrome = EditorView.theme({
  '&': { color: 'var(--text)', backgroundColor: 'var(--panel)' },
  '.cm-content': { caretColor: 'var(--text)' },
  '.cm-cursor, .cm-dropCursor': { borderLeftColor: 'var(--text)' },
  '&.cm-focused > .cm-scroller > .cm-selectionLayer .cm-selectionBackground, .cm-selectionBackground': {
    backgroundColor: 'light-dark(#d0ebff, #1c3d5a)',
  },
  '.cm-gutters': {
    color: 'var(--muted)',
    backgroundColor: 'var(--panel-strong)',
    borderRight: '1px solid var(--border)',
  },
  '.cm-activeLineGutter': { color: 'var(--text)', backgroundColor: 'var(--hover)' },
  '.cm-activeLine': { backgroundColor: 'transparent' },
  '.cm-placeholder': { color: 'var(--muted)' },
  '.cm-matchingBracket, &.cm-focused .cm-matchingBracket': {
    backgroundColor: 'light-dark(#d3f9d8, #1c3124)',
    outline: '1px solid var(--ok)',
  },
  '.cm-tooltip': {
    color: 'var(--text)',
    backgroundColor: 'var(--control)',
    border: '1px solid var(--border)',
    borderRadius: '4px',
    boxShadow: 'var(--shadow)',
  },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': {
    color: 'var(--on-accent)',
    backgroundColor: 'var(--accent)',
  },
  '.cm-completionMatchedText': { textDecoration: 'none', fontWeight: '600' },
});

/**
 * SQL token colours, each a light-dark() pair chosen for contrast on the editor's panel. They are the only
 * colouring of tokens: no stylesheet may filter or recolour `.cm-line` spans, or a dark keyword turns white.
 */
const sqlColours = HighlightStyle.define([
  { tag: t.keyword, color: 'light-dark(#7048e8, #b197fc)', fontWeight: '500' },
  { tag: [t.string, t.special(t.string)], color: 'light-dark(#c2255c, #faa2c1)' },
  { tag: [t.number, t.bool, t.null], color: 'light-dark(#087f5b, #63e6be)' },
  { tag: [t.lineComment, t.blockComment, t.comment], color: 'var(--muted)', fontStyle: 'italic' },
  { tag: [t.typeName, t.standard(t.name)], color: 'light-dark(#1864ab, #74c0fc)' },
  { tag: [t.operator, t.punctuation, t.bracket], color: 'light-dark(#495057, #adb5bd)' },
  { tag: t.special(t.name), color: 'light-dark(#e67700, #ffc078)' },
]);

export const editorTheme: Extension = [chrome, syntaxHighlighting(sqlColours)];
