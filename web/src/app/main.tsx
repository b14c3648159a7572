// The entry point: the app's styles and its shell, drawn into #app.
import { render } from "preact";
import { App } from "./App";
import "./styles.css";

render(<App />, document.getElementById("app")!);
