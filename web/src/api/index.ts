// The web app's one door to Scout's API: the client (session, calls) and the types.
export { api, send, session } from "./client";
export * from "./types";
