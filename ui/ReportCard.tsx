// The report card for one target: the same lines `--format text` prints (src/render/text.ts), and
// the summary table that ends a run of several targets.
import { useMemo } from 'react';
import { Box, Text } from 'ink';
import type { Report, Severity } from '../src/model/report.js';
import { displayWidth } from '../src/render/style.js';
import { layoutCardLine, reportCardLines, summaryLines, type CardLine } from '../src/render/text.js';
import { useColumns } from './theme.js';

export interface ReportCardProps {
  report: Report;
  color: boolean;
  /** Layout width; defaults to the terminal's columns, or 80. */
  columns?: number;
  /** --severity: findings below it are left out (and counted as hidden). */
  minSeverity?: Severity | null;
}

/** Laid-out rows as Ink text. A row wider than the width is a URL kept whole: it gets its own width, never a cut. */
function Rows({ lines, color, width }: { lines: CardLine[]; color: boolean; width: number }) {
  // Laid out by the text renderer's own flow (not Ink's wrap, which keeps a leading space on
  // continuation lines), so card and `--format text` wrap identically.
  const rows = useMemo(() => lines.flatMap((line) => layoutCardLine(line, width, color)), [lines, width, color]);
  return (
    <Box flexDirection="column" width={width}>
      {rows.map((row, i) => {
        const w = displayWidth(row);
        const text = (
          <Text key={i} wrap="truncate-end">
            {row === '' ? ' ' : row}
          </Text>
        );
        return w > width ? (
          <Box key={i} width={w} flexShrink={0}>
            {text}
          </Box>
        ) : (
          text
        );
      })}
    </Box>
  );
}

export function ReportCard({ report, color, columns, minSeverity = null }: ReportCardProps) {
  const width = useColumns(columns);
  const lines = useMemo(() => reportCardLines(report, { minSeverity }), [report, minSeverity]);
  return <Rows lines={lines} color={color} width={width} />;
}

/** The table that ends a run of several targets: grades, status and finding counts per target. */
export function SummaryCard({ reports, color, columns }: { reports: readonly Report[]; color: boolean; columns?: number }) {
  const width = useColumns(columns);
  const lines = useMemo(() => summaryLines(reports), [reports]);
  return <Rows lines={lines} color={color} width={width} />;
}

/** Several cards, a blank line apart (as renderText separates them), then the summary when there are several. */
export function ReportCards({ reports, color, columns, minSeverity = null }: { reports: Report[]; color: boolean; columns?: number; minSeverity?: Severity | null }) {
  return (
    <Box flexDirection="column">
      {reports.map((report, i) => (
        <Box key={i} marginTop={i > 0 ? 1 : 0}>
          <ReportCard report={report} color={color} columns={columns} minSeverity={minSeverity} />
        </Box>
      ))}
      {reports.length > 1 && (
        <Box marginTop={1}>
          <SummaryCard reports={reports} color={color} columns={columns} />
        </Box>
      )}
    </Box>
  );
}
