import type { Schemas } from "../api/client";

export type Item = Schemas["Item"];
/** Each stage's items in order, by stage id. */
export type Columns = Record<string, Item[]>;
export type Placement = { stage_id: string; after?: string; before?: string; columns: Columns };

/** The stage an item is in. */
export function stageOf(columns: Columns, itemId: string): string | undefined {
  return Object.keys(columns).find((s) => columns[s].some((i) => i.id === itemId));
}

/**
 * Where dropping active over `over` (a stage, meaning its end, or an item,
 * meaning its place) puts it: the move the API is asked for, naming one
 * neighbour, and the columns as they will be. Null when nothing changes.
 */
export function place(columns: Columns, activeId: string, overId: string): Placement | null {
  const from = stageOf(columns, activeId);
  const to = overId in columns ? overId : stageOf(columns, overId);
  if (!from || !to) return null;
  const item = columns[from].find((i) => i.id === activeId)!;
  const target = columns[to].filter((i) => i.id !== activeId);
  let at = target.length; // a stage itself: its end
  if (!(overId in columns)) {
    const overAt = target.findIndex((i) => i.id === overId);
    // Within a stage the dropped item takes the place of the one it is over, as the list showed it while dragging.
    const from0 = columns[from].findIndex((i) => i.id === activeId);
    const over0 = columns[to].findIndex((i) => i.id === overId);
    at = from === to && over0 > from0 ? overAt + 1 : overAt;
  }
  const list = [...target.slice(0, at), { ...item, stage_id: to }, ...target.slice(at)];
  if (from === to && list.every((i, n) => i.id === columns[from][n].id)) return null;
  const next: Columns = { ...columns, [from]: columns[from].filter((i) => i.id !== activeId), [to]: list };
  const after = list[at - 1]?.id;
  const before = after ? undefined : list[at + 1]?.id;
  return { stage_id: to, after, before, columns: next };
}
