import { useState } from "react";
import { Link, useParams } from "react-router";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  closestCorners,
  useSensor,
  useSensors,
  type DragEndEvent,
  type DragStartEvent,
} from "@dnd-kit/core";
import { sortableKeyboardCoordinates } from "@dnd-kit/sortable";
import { api, type Schemas } from "../api/client";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { NotUpToDate } from "../components/NotUpToDate";
import { place, stageOf, type Columns } from "./board";
import { announcements, instructions } from "./boardAnnouncements";
import { BoardColumn } from "./BoardColumn";

type BoardData = Schemas["Board"];

// How often an open board asks for what others (people, workflows) changed.
const livePoll = 3000;

/**
 * A pipeline's stages as columns of their items, moved by pointer or keyboard (dnd-kit).
 * It follows others' changes by itself, except while an item is carried, being moved
 * or edited here: a refresh then would drop the carried item or the editor's typing.
 */
export function Board() {
  const { org = "", key = "" } = useParams();
  const queryClient = useQueryClient();
  const queryKey = ["board", org, key];
  const [moveError, setMoveError] = useState<unknown>(null);
  const [dragged, setDragged] = useState<string | null>(null);
  const [editing, setEditing] = useState<ReadonlySet<string>>(new Set());
  const move = useMutation({
    mutationFn: (m: { id: string; stage_id: string; after?: string; before?: string }) =>
      call(
        api.POST("/api/v1/orgs/{org}/items/{id}/move", {
          params: { path: { org, id: m.id } },
          body: { stage_id: m.stage_id, after: m.after, before: m.before },
        }),
      ),
    onError: setMoveError,
    // Right or refused, the server's order is the truth: fetch it (the dashboard's counts change too).
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey }),
        queryClient.invalidateQueries({ queryKey: ["dashboard", org] }),
      ]),
  });
  const held = !!dragged || editing.size > 0 || move.isPending;
  const board = useQuery({
    queryKey,
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/pipelines/{key}", { params: { path: { org, key } } })),
    refetchInterval: livePoll,
    // Held, not only slowed: a window's focus or the network's return would refresh it too.
    // It catches up when let go (invalidated meanwhile, or stale by then).
    enabled: !held,
  });
  // The hold stops new refreshes only: one already under way is cancelled too, or its answer
  // would redraw the board under the carried item or the editor, or undo a move just shown.
  const holdRefresh = () => void queryClient.cancelQueries({ queryKey });
  const edit = (id: string, on: boolean) => {
    if (on) holdRefresh();
    setEditing((was) => {
      const next = new Set(was);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  };
  // A small distance keeps a click on the card's buttons a click.
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  // A failed refresh keeps the board shown (and the focus in it): only a first load that failed replaces it.
  if (board.isError && !board.data) {
    return (
      <>
        <h1>Board</h1>
        <ErrorMessage error={board.error} />
      </>
    );
  }
  const b = board.data;
  if (!b) return <p>Loading…</p>;
  const stages = b.stages ?? [];
  const columns: Columns = Object.fromEntries(stages.map((s) => [s.id!, b.items_by_stage?.[s.id!] ?? []]));
  const names = { stages: Object.fromEntries(stages.map((s) => [s.id!, s.name ?? ""])), columns };
  const onDragStart = ({ active }: DragStartEvent) => {
    holdRefresh();
    setDragged(String(active.id));
  };
  const onDragEnd = ({ active, over }: DragEndEvent) => {
    setDragged(null);
    if (!over) return;
    const p = place(columns, String(active.id), String(over.id));
    if (!p) return;
    setMoveError(null);
    // Shown at once; the server's answer follows.
    holdRefresh();
    queryClient.setQueryData<BoardData>(queryKey, { ...b, items_by_stage: p.columns });
    move.mutate({ id: String(active.id), stage_id: p.stage_id, after: p.after, before: p.before });
  };
  return (
    <>
      <p>
        <Link to={`/orgs/${org}/pipelines`}>All pipelines</Link>
      </p>
      <h1>{b.name}</h1>
      {b.description && <p className="muted">{b.description}</p>}
      <ErrorMessage error={moveError} />
      <NotUpToDate error={board.isError ? board.error : null} />
      <DndContext
        sensors={sensors}
        collisionDetection={closestCorners}
        onDragStart={onDragStart}
        onDragEnd={onDragEnd}
        onDragCancel={() => setDragged(null)}
        accessibility={{ announcements: announcements(names), screenReaderInstructions: instructions }}
      >
        {/* data-live and data-updated say whether the board follows others' changes and when it last did. */}
        <div className="board" data-live={held ? "held" : "live"} data-updated={board.dataUpdatedAt}>
          {stages.map((s) => (
            <BoardColumn key={s.id} org={org} stage={s} items={columns[s.id!]} editing={editing} onEdit={edit} />
          ))}
        </div>
        {/* What is carried: it follows the pointer or the arrow keys into any stage, while the card keeps its place. */}
        <DragOverlay>{dragged && <DraggedCard title={titleOf(columns, dragged)} />}</DragOverlay>
      </DndContext>
    </>
  );
}

function titleOf(columns: Columns, id: string) {
  return columns[stageOf(columns, id) ?? ""]?.find((i) => i.id === id)?.title ?? "";
}

// A picture of the card only: the focus and the announcements stay with the real one.
function DraggedCard({ title }: { title: string }) {
  return (
    <div className="card carried" aria-hidden="true">
      <span className="card-title">{title}</span>
    </div>
  );
}
