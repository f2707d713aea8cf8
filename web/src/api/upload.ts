// Uploads go through XMLHttpRequest, not fetch: only its upload events report
// how much of the body has been sent.
import { signedOutNow, type Schemas } from "./client";
import { NetworkError, ProblemError, type Problem } from "./problem";

export type Upload = { file: File; kind: string; idempotencyKey: string };

/**
 * POSTs the file as multipart/form-data to the organisation's documents,
 * calling onProgress with the share of the body sent (0 to 1). Resolves to the
 * API's 202 answer; rejects with a ProblemError or NetworkError as call() does.
 */
export function uploadDocument(
  org: string,
  upload: Upload,
  onProgress: (sent: number) => void,
): Promise<Schemas["DocumentUploaded"]> {
  const body = new FormData();
  body.append("kind", upload.kind);
  body.append("file", upload.file, upload.file.name);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/orgs/${encodeURIComponent(org)}/documents`);
    xhr.setRequestHeader("Idempotency-Key", upload.idempotencyKey);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new NetworkError());
    xhr.onabort = () => reject(new NetworkError());
    xhr.onload = () => {
      let data: unknown = undefined;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        // not JSON: described from the status below
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(data as Schemas["DocumentUploaded"]);
        return;
      }
      if (xhr.status === 401) signedOutNow();
      const problem: Problem =
        data && typeof data === "object" && "status" in data
          ? (data as Problem)
          : { type: "about:blank", title: xhr.statusText || "Error", status: xhr.status };
      const retry = Number(xhr.getResponseHeader("Retry-After"));
      reject(new ProblemError(problem, Number.isFinite(retry) && retry > 0 ? retry : null));
    };
    xhr.send(body);
  });
}
