import { useId, useState } from "react";
import type { Schemas } from "../api/client";
import { ErrorMessage } from "../components/ErrorMessage";
import { dayLabel, slotDay, slotTime, visitorZone, when } from "./time";

type Slot = Schemas["Slots"]["slots"][number];
type Alternative = NonNullable<Schemas["SlotTakenProblem"]["alternatives"]>[number];

/**
 * Free slots as a day, then a time of that day: a phone shows one day's
 * times at once instead of two weeks of them. Times are in the visitor's zone.
 */
export function SlotPicker(props: { slots: Slot[]; value: string; onChange: (start: string) => void }) {
  const days = [...new Set(props.slots.map((s) => slotDay(s.start)))];
  const [day, setDay] = useState(() => (props.value ? slotDay(props.value) : days[0] ?? ""));
  // A time chosen elsewhere (one of the API's alternatives) shows its day.
  const [seen, setSeen] = useState(props.value);
  if (props.value !== seen) {
    setSeen(props.value);
    if (props.value) setDay(slotDay(props.value));
  }
  const shown = days.includes(day) ? day : days[0] ?? "";
  if (days.length === 0) return <p className="muted">No free time in the next two weeks.</p>;
  const times = props.slots.filter((s) => slotDay(s.start) === shown);
  return (
    <div className="slot-picker">
      <div className="field">
        <label htmlFor="slot-day">Day</label>
        <select id="slot-day" name="day" value={shown} onChange={(e) => setDay(e.target.value)}>
          {days.map((d) => (
            <option key={d} value={d}>
              {dayLabel(d)}
            </option>
          ))}
        </select>
      </div>
      <fieldset className="slots">
        <legend>Time ({visitorZone()})</legend>
        {times.map((s) => (
          <label key={s.start} className="slot">
            <input
              type="radio"
              name="slot"
              value={s.start}
              checked={props.value === s.start}
              onChange={() => props.onChange(s.start)}
            />
            {slotTime(s.start)}
          </label>
        ))}
      </fieldset>
    </div>
  );
}

/** The free times as they load: the picker once they came, why not if they could not. */
export function FreeTimes(props: {
  slots: { isError: boolean; error: unknown; data?: { slots: Slot[] } };
  value: string;
  onChange: (start: string) => void;
}) {
  const { slots } = props;
  if (slots.isError) return <ErrorMessage error={slots.error} />;
  if (!slots.data) return <p>Loading free times…</p>;
  return <SlotPicker slots={slots.data.slots} value={props.value} onChange={props.onChange} />;
}

/**
 * The refusal of a time someone took meanwhile (a 409), with the nearest free times the API offers
 * in its place; the free times above it are fetched again without the taken one.
 */
export function TimeTaken(props: { alternatives: Alternative[]; value: string; onChoose: (start: string) => void }) {
  const heading = useId();
  return (
    <div className="alternatives">
      <p className="error" role="alert" id={heading}>
        That time was just taken. Choose another{props.alternatives.length > 0 && ", or one of the nearest free ones"}.
      </p>
      {props.alternatives.length > 0 && (
        <ul className="inline" aria-labelledby={heading}>
          {props.alternatives.map((a) => (
            <li key={a.start + a.operator_id}>
              <button type="button" className="secondary" data-start={a.start} aria-pressed={props.value === a.start} onClick={() => props.onChoose(a.start)}>
                {when(a.start)}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
