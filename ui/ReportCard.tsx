// The report card for one target. Its content comes from reportCardLines (src/report/text.ts), the
// same lines `--format text` prints, laid out here with Ink boxes.
import { useMemo } from 'react';
import { Box, Text } from 'ink';
import type { Report } from '../src/model/report.js';
import { reportCardLines, type CardLine } from '../src/report/text.js';
import { ColorContext, Segs, useColumns } from './theme.js';

export interface ReportCardProps {
  report: Report;
  color: boolean;
  /** Layout width; defaults to the terminal's columns, or 80. */
  columns?: number;
}

export function ReportCard({ report, color, columns }: ReportCardProps) {
  const width = useColumns(columns);
  const lines = useMemo(() => reportCardLines(report), [report]);
  return (
    <ColorContext.Provider value={color}>
      <Box flexDirection="column" width={width}>
        {lines.map((line, i) => (
          <CardRow key={i} line={line} />
        ))}
      </Box>
    </ColorContext.Provider>
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

/** Prefix column of `indent` cells, then the items flowing (and wrapping) in the rest of the width. */
function CardRow({ line }: { line: CardLine }) {
  if (line.items.length === 0 && !line.prefix) return <Text> </Text>;
  return (
    <Box>
      {line.indent > 0 && (
        <Box width={line.indent} flexShrink={0}>
          {line.prefix && <Segs segs={line.prefix} wrap="truncate-end" />}
        </Box>
      )}
      <Box flexGrow={1} flexShrink={1} flexWrap="wrap" columnGap={line.gap}>
        {line.items.map((item, i) => (
          <Segs key={i} segs={item} />
        ))}
      </Box>
    </Box>
  );
}
