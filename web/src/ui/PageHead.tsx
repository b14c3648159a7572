// The top of a detail page: the way back, the heading with its status badge; and what a
// page shows before its record has loaded.
import { onLinkClick } from "../app/router";
import { title } from "./format";
import { Alert } from "./Alert";

export function PageHead({ back, backLabel, heading, status }: { back: string; backLabel: string; heading: string; status?: string }) {
  return (
    <>
      <p class="crumbs">
        <a href={back} onClick={onLinkClick}>
          {backLabel}
        </a>{" "}
        /
      </p>
      <div class="title-row">
        <h1 tabIndex={-1}>{heading}</h1>
        {status && <span class={`badge status-${status}`}>{title(status)}</span>}
      </div>
    </>
  );
}

/** A page whose record is still loading, or failed to. */
export function Pending({ error }: { error: string | null }) {
  return <section class="page">{error ? <Alert>{error}</Alert> : <p role="status">Loading…</p>}</section>;
}
