import { useSortable } from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
import type { Item } from "./board";
import { ItemEditor } from "./ItemEditor";

/**
 * An item on the board; its Move button is what is dragged, so the card's other buttons stay plain buttons.
 * Whether it is being edited is the board's to know: the board waits with its refresh meanwhile.
 */
export function BoardCard({ org, item, editing, onEdit }: { org: string; item: Item; editing: boolean; onEdit: (on: boolean) => void }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } = useSortable({
    id: item.id!,
  });
  const style = { transform: CSS.Translate.toString(transform), transition };
  return (
    <li ref={setNodeRef} style={style} className={isDragging ? "card dragging" : "card"} data-id={item.id}>
      <div className="card-head">
        <button type="button" className="handle secondary" ref={setActivatorNodeRef} {...attributes} {...listeners}>
          Move<span className="visually-hidden"> {item.title}</span>
        </button>
        <span className="card-title">{item.title}</span>
      </div>
      {item.due_at && <p className="muted">Due {new Date(item.due_at).toLocaleDateString()}</p>}
      <button type="button" className="secondary edit" aria-expanded={editing} onClick={() => onEdit(!editing)}>
        Edit<span className="visually-hidden"> {item.title}</span>
      </button>
      {editing && <ItemEditor org={org} item={item} onDone={() => onEdit(false)} />}
    </li>
  );
}
