// The options page's connection to the host: the same "rolecall-ui" port to the
// background that the side panel uses, opened once for the page.

import { BackgroundClient } from "../shared/background-client";

let client: BackgroundClient | null = null;

export function hostClient(): BackgroundClient {
  if (!client) {
    client = new BackgroundClient();
    client.connect();
  }
  return client;
}
