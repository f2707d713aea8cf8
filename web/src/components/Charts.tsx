// Charts drawn by hand in SVG, for the eye; each figure's numbers are also a
// table that screen readers read (the picture itself is hidden from them).

export type Datum = { key: string; label: string; value: number; text?: string };

const barHeight = 22;
const labelWidth = 170;
const plotWidth = 380;
// Room after the longest bar for its value: about 7px a character at 12px.
const valueWidth = (data: Datum[]) => Math.max(110, ...data.map((d) => String(d.text ?? d.value).length * 7 + 12));

/**
 * One horizontal bar per datum, scaled to the largest (or to max), with its
 * label before it and its value (text, or the number) after it.
 */
export function BarChart(props: { name: string; caption: string; unit: string; data: Datum[]; max?: number }) {
  const most = Math.max(props.max ?? 0, ...props.data.map((d) => d.value), 1e-9);
  const width = labelWidth + plotWidth + valueWidth(props.data);
  return (
    <figure className="chart" data-chart={props.name}>
      <figcaption>{props.caption}</figcaption>
      <svg viewBox={`0 0 ${width} ${props.data.length * barHeight}`} width={width} aria-hidden="true">
        {props.data.map((d, n) => (
          <g key={d.key} transform={`translate(0 ${n * barHeight})`}>
            <text x={labelWidth - 8} y={barHeight / 2} textAnchor="end" dominantBaseline="middle">
              {d.label}
            </text>
            <rect x={labelWidth} y={3} height={barHeight - 6} width={(d.value / most) * plotWidth} className="chart-bar" />
            <text x={labelWidth + (d.value / most) * plotWidth + 6} y={barHeight / 2} dominantBaseline="middle">
              {d.text ?? d.value}
            </text>
          </g>
        ))}
      </svg>
      <ChartTable unit={props.unit} data={props.data} />
    </figure>
  );
}

const dayWidth = 22;
const columnHeight = 120;

/** One column per day, oldest first, with the day's count above it and every seventh day named below. */
export function DayChart(props: { name: string; caption: string; unit: string; data: Datum[] }) {
  const most = Math.max(1, ...props.data.map((d) => d.value));
  const width = props.data.length * dayWidth;
  return (
    <figure className="chart" data-chart={props.name}>
      <figcaption>{props.caption}</figcaption>
      <svg viewBox={`0 0 ${width} ${columnHeight + 40}`} width={width} aria-hidden="true">
        <line x1={0} x2={width} y1={columnHeight + 16} y2={columnHeight + 16} className="chart-axis" />
        {props.data.map((d, n) => {
          const h = (d.value / most) * columnHeight;
          return (
            <g key={d.key} transform={`translate(${n * dayWidth} 0)`}>
              <rect x={3} y={columnHeight + 16 - h} width={dayWidth - 6} height={h} className="chart-bar" />
              {d.value > 0 && (
                <text x={dayWidth / 2} y={columnHeight + 12 - h} textAnchor="middle" className="chart-small">
                  {d.value}
                </text>
              )}
              {(props.data.length - 1 - n) % 7 === 0 && (
                <text x={dayWidth / 2} y={columnHeight + 32} textAnchor="middle" className="chart-small">
                  {d.label}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ChartTable unit={props.unit} data={props.data} />
    </figure>
  );
}

// What the picture shows, for a screen reader; data-key lets a reader of the page (or a test) find a figure.
function ChartTable({ unit, data }: { unit: string; data: Datum[] }) {
  return (
    <table className="visually-hidden">
      <thead>
        <tr>
          <th scope="col">What</th>
          <th scope="col">{unit}</th>
        </tr>
      </thead>
      <tbody>
        {data.map((d) => (
          <tr key={d.key} data-key={d.key}>
            <th scope="row">{d.label}</th>
            <td>{d.text ?? d.value}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
