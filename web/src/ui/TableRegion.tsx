import type { ComponentChildren } from "preact";

/**
 * A table's box: on a wide screen a region that scrolls sideways when the table is wider
 * than the page, which keyboards can reach (focusable) and screen readers can name
 * (labelled). Under 600 px wide, tables of class `stack` turn into one labelled card per
 * row instead (each cell shows its column's name from `data-label`), so nothing hides
 * past the edge of a phone.
 */
export function TableRegion({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" role="region" aria-label={label} tabIndex={0}>
      {children}
    </div>
  );
}
