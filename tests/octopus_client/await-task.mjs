// await-task-action: `resolveSpaceId`, then `ServerTaskWaiter.waitForServerTaskToComplete`, polling the
// space's task list by id until the task completes. The action fails unless State is exactly Success.
// Usage: node await-task.mjs --server-task-id ServerTasks-N [--polling-interval SECONDS] [--timeout SECONDS]
//        [--cancel-on-timeout]
import { api, connect, inputs, run, spaceName } from "./octopus.mjs";

await run(async () => {
  const { values } = inputs({
    "server-task-id": { type: "string" },
    "polling-interval": { type: "string", default: "10" },
    timeout: { type: "string", default: "600" },
    "cancel-on-timeout": { type: "boolean", default: false },
  });
  const client = await connect("GitHubActions await-task-action");
  const spaceId = await api.resolveSpaceId(client, spaceName());
  const polled = [];
  const task = await new api.ServerTaskWaiter(client, spaceName()).waitForServerTaskToComplete(
    values["server-task-id"],
    Number(values["polling-interval"]) * 1000,
    Number(values.timeout) * 1000,
    (serverTask) => {
      // The action's progress line, with the flag a test waits for before it decides a manual intervention.
      client.info(
        `waiting for task ${serverTask.Id}. Status: ${serverTask.State}. HasPendingInterruptions: ${serverTask.HasPendingInterruptions}`,
      );
      polled.push({ State: serverTask.State, HasPendingInterruptions: serverTask.HasPendingInterruptions });
    },
    values["cancel-on-timeout"],
  );
  if (task === undefined) {
    return { spaceId, State: null, polled };
  }
  const { Id, State, IsCompleted, FinishedSuccessfully, HasPendingInterruptions, ErrorMessage } = task;
  return { spaceId, Id, State, IsCompleted, FinishedSuccessfully, HasPendingInterruptions, ErrorMessage, polled };
});
