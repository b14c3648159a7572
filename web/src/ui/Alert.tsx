import type { ComponentChildren } from "preact";

/** An error or notice, announced to screen readers as it appears. */
export function Alert({ children, kind = "error" }: { children: ComponentChildren; kind?: "error" | "info" | "success" }) {
  return (
    <div class={`alert ${kind}`} role={kind === "error" ? "alert" : "status"}>
      {children}
    </div>
  );
}
