// The report card for one target: the same lines `--format text` prints (src/report/text.ts).
import { useMemo } from 'react';
import { Box, Text } from 'ink';
import type { Report } from '../src/model/report.js';
import { layoutCardLine, reportCardLines } from '../src/render/text.js';
import { useColumns } from './theme.js';

export interface ReportCardProps {
  report: Report;
  color: boolean;
  /** Layout width; defaults to the terminal's columns, or 80. */
  columns?: number;
}

export function ReportCard({ report, color, columns }: ReportCardProps) {
  const width = useColumns(columns);
  // Laid out by the text renderer's own flow (not Ink's wrap, which keeps a leading space on
  // continuation lines), so card and `--format text` wrap identically.
  const rows = useMemo(() => reportCardLines(report).flatMap((line) => layoutCardLine(line, width, color)), [report, width, color]);
  return (
    <Box flexDirection="column" width={width}>
      {rows.map((row, i) => (
        <Text key={i} wrap="truncate-end">
          {row === '' ? ' ' : row}
        </Text>
      ))}
    </Box>
  );
}

/** Several cards, a blank line apart (as renderText separates them). */
export function ReportCards({ reports, color, columns }: { reports: Report[]; color: boolean; columns?: number }) {
  return (
    <Box flexDirection="column">
      {reports.map((report, i) => (
        <Box key={i} marginTop={i > 0 ? 1 : 0}>
          <ReportCard report={report} color={color} columns={columns} />
        </Box>
      ))}
    </Box>
  );
}
