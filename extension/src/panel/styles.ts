/** Inline styles matching OHIF's dark theme (the panel lives outside OHIF's Tailwind build). */
import type { CSSProperties } from 'react';

export const colors = {
  text: '#e6edf3',
  muted: '#9aa8b8',
  accent: '#5acce6',
  warn: '#f5c542',
  error: '#ff7b72',
  ok: '#7ee787',
  border: '#2b3a4a',
  rowAlt: '#0c1c2c',
  button: '#1f6feb',
};

export const s: Record<string, CSSProperties> = {
  panel: { color: colors.text, fontSize: 13, lineHeight: 1.4, padding: '8px 10px', fontFamily: 'Inter, system-ui, sans-serif' },
  h: { fontSize: 14, fontWeight: 600, color: colors.accent, margin: '10px 0 6px' },
  message: { margin: '4px 0 8px' },
  warn: { color: colors.warn, margin: '2px 0' },
  error: { color: colors.error, margin: '4px 0 8px' },
  table: { width: '100%', borderCollapse: 'collapse', fontSize: 12 },
  th: { textAlign: 'left', color: colors.muted, fontWeight: 500, borderBottom: `1px solid ${colors.border}`, padding: '3px 4px' },
  td: { padding: '3px 4px', verticalAlign: 'top', borderBottom: `1px solid ${colors.border}` },
  badge: { display: 'inline-block', borderRadius: 3, padding: '0 4px', fontSize: 11, fontWeight: 600 },
  button: { background: colors.button, color: '#fff', border: 0, borderRadius: 4, padding: '6px 14px', cursor: 'pointer', fontSize: 13, fontWeight: 600 },
  buttonDisabled: { background: '#3a4a5a', color: '#9aa8b8', cursor: 'not-allowed' },
  secondaryButton: { background: 'transparent', color: colors.text, border: `1px solid ${colors.border}`, borderRadius: 4, padding: '5px 10px', cursor: 'pointer', fontSize: 12, whiteSpace: 'nowrap' },
  muted: { color: colors.muted, fontSize: 11 },
};
