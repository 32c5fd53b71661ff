import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from './stats-series.js';

const HEIGHT = 220;

/** A line chart over time (uPlot on a canvas); its data is replaced in place on every poll. */
export function TimeChart({ title, data }: { title: string; data: ChartData }) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | undefined>(undefined);
  const shape = data.lines.map((line) => line.label).join('|');

  useEffect(() => {
    const element = container.current;
    if (element === null) return;
    const plot = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height: HEIGHT,
        series: [
          {},
          ...data.lines.map((line) => ({ label: line.label, stroke: line.color, width: 2, spanGaps: false })),
        ],
        axes: [{ space: 70, values: (_u, splits) => splits.map(clockTime) }, { size: 60 }],
        scales: { y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        legend: { live: false },
        cursor: { drag: { x: false, y: false } },
      },
      toAligned(data),
      element,
    );
    chart.current = plot;
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(320, element.clientWidth), height: HEIGHT }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = undefined;
    };
    // The chart is rebuilt only when its lines change; new points go through setData below.
  }, [shape]);

  useEffect(() => chart.current?.setData(toAligned(data)), [data]);

  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={container} />
    </figure>
  );
}

function toAligned(data: ChartData): uPlot.AlignedData {
  return [data.times as number[], ...data.lines.map((line) => line.values as (number | null)[])];
}

/** `16:05:30`: the time of day of a point (seconds since the epoch), in the viewer's time zone. */
function clockTime(seconds: number): string {
  const date = new Date(seconds * 1000);
  return [date.getHours(), date.getMinutes(), date.getSeconds()]
    .map((part) => String(part).padStart(2, '0'))
    .join(':');
}
