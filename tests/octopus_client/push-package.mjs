// push-package-action: `PackageRepository.push(files, overwriteMode)` into the space's built-in feed.
// Usage: node push-package.mjs [--overwrite-mode FailIfExists|OverwriteExisting|IgnoreIfExists] FILE...
import { api, connect, inputs, run, spaceName } from "./octopus.mjs";

await run(async () => {
  const { values, positionals } = inputs({ "overwrite-mode": { type: "string" } });
  const mode = values["overwrite-mode"] ?? api.OverwriteMode.FailIfExists;
  const client = await connect("GitHubActions (package;push;v3)");
  await new api.PackageRepository(client, spaceName()).push(positionals, mode);
  return { pushed: positionals.map((file) => file.split("/").pop()), overwriteMode: mode };
});
