// Colour handling for every Ink component: tones from src/report/style.ts become Ink <Text> props,
// or no props at all when colour is off (NO_COLOR / not a TTY), so not even bold or dim escapes leak.
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { Text, useStdout, type TextProps } from 'ink';
import { segText, type Seg, type Tone } from '../src/render/style.js';

export const ColorContext = createContext<boolean>(false);

export const useColor = (): boolean => useContext(ColorContext);

const TONE_PROPS: Record<Tone, TextProps> = {
  plain: {},
  good: { color: 'green' },
  warn: { color: 'yellow' },
  bad: { color: 'red' },
  low: { color: 'cyan' },
  dim: { dimColor: true },
  strong: { bold: true },
};

export function toneProps(tone: Tone | undefined, color: boolean, badge = false): TextProps {
  if (!color) return {};
  const props = TONE_PROPS[tone ?? 'plain'];
  return badge ? { ...props, bold: true, inverse: true } : props;
}

/** Inline text in one tone; nest inside a <Text>. */
export function Tinted({ tone, children }: { tone?: Tone; children: ReactNode }) {
  return <Text {...toneProps(tone, useColor())}>{children}</Text>;
}

/** Toned segments as one Ink text run. */
export function Segs({ segs, wrap }: { segs: Seg[]; wrap?: TextProps['wrap'] }) {
  const color = useColor();
  return (
    <Text wrap={wrap}>
      {segs.map((s, i) => (
        <Text key={i} {...toneProps(s.tone, color, s.badge)}>
          {segText(s, color)}
        </Text>
      ))}
    </Text>
  );
}

/** Width to lay out in: the explicit value, else the terminal's (following resizes), else 80. */
export function useColumns(explicit?: number): number {
  const { stdout } = useStdout();
  const read = () => explicit ?? (stdout?.columns || 80);
  const [columns, setColumns] = useState(read);
  useEffect(() => {
    if (explicit !== undefined || !stdout) return;
    const onResize = () => setColumns(stdout.columns || 80);
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [explicit, stdout]);
  return explicit ?? columns;
}
