// Entry point: loads libsodium, learns the page's server, then shows the profile screens.
import { startApp } from "./ui/start";

startApp(document.getElementById("app")!).catch(error => {
  const message = document.createElement("p");
  message.className = "fatal";
  message.textContent = `Purr could not start: ${error?.message ?? error}`;
  document.body.appendChild(message);
});
