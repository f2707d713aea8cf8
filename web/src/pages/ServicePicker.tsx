/** What a service picker shows of a service, whether an organisation's or a public booking page's. */
type PickableService = { key?: string; name?: string; duration_minutes?: number };

/** Picks the service to book: its name and length. */
export function ServicePicker(props: { services: PickableService[]; value: string; onChange: (key: string) => void }) {
  return (
    <div className="field">
      <label htmlFor="service">Service</label>
      <select id="service" name="service" value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.services.map((s) => (
          <option key={s.key} value={s.key}>
            {s.name} ({s.duration_minutes} min)
          </option>
        ))}
      </select>
    </div>
  );
}
