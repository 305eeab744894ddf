/**
 * The findings as text (findingsText.ts), shown on request, with a button that copies them for the report; with what
 * differs from the prior study's stored findings (priorChanges.ts) before the closing software line, where there is one.
 */
import { useState } from 'react';
import type { SpineReport } from '../pipeline/report';
import { findingsText } from './findingsText';
import { comparePrior, priorChangesText } from './priorChanges';
import { usePriorReport } from './usePriorReport';
import { colors, s } from './styles';

export function FindingsTextBox({ report }: { report: SpineReport }) {
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState<string | undefined>();
  const prior = usePriorReport(report.studyInstanceUid);
  const lines = findingsText(report).split('\n');
  if (prior.status === 'loaded') lines.splice(lines.length - 1, 0, priorChangesText(comparePrior(report, prior.prior.report), prior.prior.studyDate));
  const text = lines.join('\n');
  const copy = () =>
    navigator.clipboard?.writeText(text).then(
      () => setCopied('Copied.'),
      (e: Error) => setCopied(`Not copied (${e.message}): select the text and copy it.`),
    ) ?? setCopied('This browser gives no clipboard access here: select the text and copy it.');
  return (
    <div style={{ margin: '6px 0' }}>
      <div style={{ display: 'flex', gap: 6, alignItems: 'center' }}>
        <button type="button" style={s.secondaryButton} data-testid="spine-findings-text-toggle" onClick={() => setOpen(!open)}>
          {open ? 'Hide findings as text' : 'Findings as text'}
        </button>
        {open && (
          <button type="button" style={s.secondaryButton} data-testid="spine-findings-text-copy" onClick={() => void copy()}>
            Copy
          </button>
        )}
        {open && copied && <span style={s.muted}>{copied}</span>}
      </div>
      {open && (
        <pre data-testid="spine-findings-text" style={{ whiteSpace: 'pre-wrap', userSelect: 'text', font: '12px monospace', border: `1px solid ${colors.border}`, padding: 6, margin: '4px 0' }}>
          {text}
        </pre>
      )}
    </div>
  );
}
