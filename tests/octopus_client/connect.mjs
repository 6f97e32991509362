// What every action does first: `Client.create` (reads GET /api) and `resolveSpaceId` (the space by name).
// Usage: node connect.mjs
import { api, connect, run, spaceName } from "./octopus.mjs";

await run(async () => {
  const client = await connect("GitHubActions await-task-action");
  const server = await client.getServerInformation();
  const spaceId = await api.resolveSpaceId(client, spaceName());
  return { version: server.version, installationId: server.installationId, spaceId };
});
