import { useEffect, useState } from "react";

/**
 * A filter bar's editable copy of the filters in the URL. It follows the URL
 * when that changes (back, forward, a link), without remounting the bar, so
 * the control the person is using keeps its focus.
 */
export function useURLForm<T extends object>(fromURL: T) {
  const [form, setForm] = useState(fromURL);
  const key = JSON.stringify(fromURL);
  useEffect(() => setForm(JSON.parse(key) as T), [key]);
  return [form, setForm] as const;
}
