import { useDroppable } from "@dnd-kit/core";
import { SortableContext, verticalListSortingStrategy } from "@dnd-kit/sortable";
import type { Schemas } from "../api/client";
import type { Item } from "./board";
import { BoardCard } from "./BoardCard";

/** One stage: a drop target of its own, so an empty stage takes items too. */
export function BoardColumn(props: {
  org: string;
  stage: Schemas["Stage"];
  items: Item[];
  editing: ReadonlySet<string>;
  onEdit: (id: string, on: boolean) => void;
}) {
  const { org, stage, items } = props;
  const { setNodeRef, isOver } = useDroppable({ id: stage.id! });
  const headingId = `stage-${stage.id}`;
  return (
    <section className="column" data-stage={stage.name} aria-labelledby={headingId}>
      <h2 id={headingId}>
        {stage.name} <span className="muted">({items.length})</span>
      </h2>
      <SortableContext id={stage.id} items={items.map((i) => i.id!)} strategy={verticalListSortingStrategy}>
        <ol ref={setNodeRef} className={isOver ? "cards over" : "cards"}>
          {items.map((i) => (
            <BoardCard key={i.id} org={org} item={i} editing={props.editing.has(i.id!)} onEdit={(on) => props.onEdit(i.id!, on)} />
          ))}
        </ol>
      </SortableContext>
    </section>
  );
}
