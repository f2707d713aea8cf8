import type { Announcements, ScreenReaderInstructions } from "@dnd-kit/core";
import type { Columns } from "./board";
import { stageOf } from "./board";

type Names = { stages: Record<string, string>; columns: Columns };

// What a screen reader hears while an item is moved: the item by title, where it is by stage and position.
export const instructions: ScreenReaderInstructions = {
  draggable:
    "To move an item, press space or enter. Use the left and right arrow keys to go to another stage, up and down within a stage. Press space or enter to drop it there, escape to cancel.",
};

function title(names: Names, id: string | number) {
  for (const items of Object.values(names.columns)) {
    const found = items.find((i) => i.id === id);
    if (found) return found.title || "the item";
  }
  return "the item";
}

function where(names: Names, id: string | number) {
  const key = String(id);
  if (key in names.columns) return `the end of ${names.stages[key]}`;
  const stage = stageOf(names.columns, key);
  if (!stage) return "nowhere";
  const n = names.columns[stage].findIndex((i) => i.id === key);
  return `position ${n + 1} of ${names.columns[stage].length} in ${names.stages[stage]}`;
}

export function announcements(names: Names): Announcements {
  return {
    onDragStart: ({ active }) => `Picked up ${title(names, active.id)}, at ${where(names, active.id)}.`,
    // Over its own place (as every drag begins) says nothing, so the pick-up is heard.
    onDragOver: ({ active, over }) =>
      over?.id === active.id
        ? undefined
        : over
          ? `${title(names, active.id)} is over ${where(names, over.id)}.`
          : `${title(names, active.id)} is over no stage.`,
    onDragEnd: ({ active, over }) =>
      over ? `${title(names, active.id)} dropped at ${where(names, over.id)}.` : `${title(names, active.id)} put back.`,
    onDragCancel: ({ active }) => `Moving ${title(names, active.id)} cancelled; it stays at ${where(names, active.id)}.`,
  };
}
