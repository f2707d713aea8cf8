import { useRef, useState, type KeyboardEvent } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "../api/client";
import { call } from "../api/problem";
import { ErrorMessage } from "../components/ErrorMessage";
import { fieldLabel, type DocumentView } from "./documents";

type Box = readonly number[]; // [left, top, right, bottom] in the page's pixels

/**
 * A read page: its image with the words the OCR found drawn over it, each
 * showing its text on hover or focus, and the extracted fields' boxes
 * highlighted. Boxes are placed in percent of the page's size, the pixels the
 * API measures them in, so they stay on their words at any width.
 */
export function PageViewer(props: { org: string; doc: DocumentView }) {
  const { org, doc } = props;
  const fields = Object.entries(doc.fields).filter(([, f]) => f.page && f.box?.length === 4);
  // The first page with a field on it, else the first.
  const [n, setN] = useState(() => (fields.length ? Math.min(...fields.map(([, f]) => f.page ?? 1)) : 1));
  const page = useQuery({
    queryKey: ["documents", org, "one", doc.id, "page", n],
    queryFn: () => call(api.GET("/api/v1/orgs/{org}/documents/{id}/pages/{n}", { params: { path: { org, id: doc.id, n } } })),
  });
  const [imageFailed, setImageFailed] = useState(false);
  const [active, setActive] = useState(0);
  const [shown, setShown] = useState<string | null>(null);
  const words = useRef<(HTMLSpanElement | null)[]>([]);

  const p = page.data;
  const width = p?.width || 1;
  const height = p?.height || 1;
  const at = (b: Box) => ({
    left: `${(b[0] / width) * 100}%`,
    top: `${(b[1] / height) * 100}%`,
    width: `${((b[2] - b[0]) / width) * 100}%`,
    height: `${((b[3] - b[1]) / height) * 100}%`,
  });
  const onPage = fields.filter(([, f]) => f.page === n);
  const inField = (b: Box) => onPage.some(([, f]) => overlaps(b, f.box!));
  // One tab stop for all the words; the arrow keys walk them in reading order.
  const walk = (e: KeyboardEvent) => {
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[e.key];
    if (!step || !p) return;
    e.preventDefault();
    const next = Math.max(0, Math.min(p.words.length - 1, active + step));
    setActive(next);
    words.current[next]?.focus();
  };
  const go = (to: number) => {
    setN(to);
    setActive(0);
    setShown(null);
    setImageFailed(false);
  };

  return (
    <section className="viewer" aria-labelledby="viewer-heading">
      <h2 id="viewer-heading">Page {n}</h2>
      {doc.pages_done > 1 && (
        <nav className="page-switcher" aria-label="Pages">
          {/* aria-disabled, not disabled: the button just used keeps the focus at the first or last page. */}
          <button type="button" className="secondary" onClick={() => n > 1 && go(n - 1)} aria-disabled={n <= 1}>
            Previous page
          </button>
          <span aria-live="polite">
            Page {n} of {doc.pages_done}
          </span>
          <button type="button" className="secondary" onClick={() => n < doc.pages_done && go(n + 1)} aria-disabled={n >= doc.pages_done}>
            Next page
          </button>
        </nav>
      )}
      {page.isError && <ErrorMessage error={page.error} />}
      {p && (
        <>
          <p className="muted" aria-live="polite" id="word-shown">
            {shown ? `Word: “${shown}”` : "Point at a word, or tab to the page and use the arrow keys, to read it."}
          </p>
          {imageFailed && <p className="error">The page's image could not be loaded; its words are shown on a blank page.</p>}
          <div className="page" style={{ aspectRatio: `${width} / ${height}` }}>
            {!imageFailed && (
              <img
                src={`/api/v1/orgs/${org}/documents/${doc.id}/pages/${n}/image`}
                alt={`Page ${n} of ${doc.filename || "the document"}`}
                onError={() => setImageFailed(true)}
              />
            )}
            <div className="words" role="group" aria-label={`Words on page ${n}`} onKeyDown={walk}>
              {p.words.map((w, i) => (
                <span
                  key={i}
                  ref={(el) => {
                    words.current[i] = el;
                  }}
                  className={inField(w.box) ? "word in-field" : "word"}
                  style={at(w.box)}
                  data-text={w.text}
                  tabIndex={i === active ? 0 : -1}
                  onFocus={() => {
                    setActive(i);
                    setShown(w.text);
                  }}
                  onMouseEnter={() => setShown(w.text)}
                >
                  <span className="visually-hidden">{w.text}</span>
                </span>
              ))}
            </div>
            {onPage.map(([name, f]) => (
              <div key={name} className="field-box" data-field={name} style={at(f.box!)} aria-hidden="true">
                <span>{fieldLabel[name] ?? name}</span>
              </div>
            ))}
          </div>
        </>
      )}
    </section>
  );
}

function overlaps(a: Box, b: Box) {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}
